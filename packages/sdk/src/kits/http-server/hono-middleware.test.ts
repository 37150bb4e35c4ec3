import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServerMetrics, type HttpServerMetricsOptions } from './http-server-metrics.ts';
import {
  activeTotal,
  countWith,
  createMetricsHarness,
  listen,
  type MetricsHarness,
  openRequest,
  totalCount,
  waitUntil,
} from './testing/kit-harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A hono app with the kit's middleware first, a middleware on /api/*, routes, a sub-app and an error handler. */
function buildApp(kit: ReturnType<typeof createHttpServerMetrics>) {
  const app = new Hono();
  app.use(kit.honoMiddleware);
  app.use('/api/*', async (_c, next) => {
    await next();
  });
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/api/items/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/missing/:id', (c) => c.notFound());
  app.get('/explode/:id', () => {
    throw new Error('handler failed');
  });
  app.get('/hang/:id', () => new Promise<Response>(() => {}));
  const tenants = new Hono();
  tenants.get('/orders/:orderId', (c) => c.text('order'));
  app.route('/tenants/:tenant', tenants);
  app.onError((_error, c) => c.text('failed', 500));
  return app;
}

async function settle(harness: MetricsHarness, requests: number) {
  await waitUntil(async () => totalCount(await harness.collect()) >= requests);
  return harness.collect();
}

function attributes(route: string | undefined, status: number, version?: string) {
  return {
    'http.request.method': 'GET',
    'http.response.status_code': status,
    'url.scheme': 'http',
    ...(route === undefined ? {} : { 'http.route': route }),
    ...(version === undefined ? {} : { 'network.protocol.version': version }),
    ...(status >= 500 ? { 'error.type': String(status) } : {}),
  };
}

const paths = [
  '/users/41',
  '/users/alice',
  '/api/items/7',
  '/tenants/acme/orders/9',
  '/missing/3',
  '/explode/1',
  '/api/nothing/here',
  '/wp-login.php',
];
const expected: [string | undefined, number, number][] = [
  ['/users/:id', 200, 2],
  ['/api/items/:id', 200, 1],
  ['/tenants/:tenant/orders/:orderId', 200, 1],
  ['/missing/:id', 404, 1], // a matched route that answered 404 keeps its route
  ['/explode/:id', 500, 1],
  [undefined, 404, 2], // no route matched: neither the /api/* middleware's pattern nor the path
];

describe('honoMiddleware on @hono/node-server', () => {
  async function serve(options: HttpServerMetricsOptions = {}) {
    const harness = createMetricsHarness();
    const kit = createHttpServerMetrics(harness.meter, options);
    const server: Server = createServer(getRequestListener(buildApp(kit).fetch));
    const listening = await listen(server);
    cleanups.push(harness.shutdown, listening.close);
    return { harness, kit, port: listening.port };
  }

  it('records hono route templates with the Node request attributes', async () => {
    const { harness, port } = await serve();
    for (const path of paths) await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    const data = await settle(harness, paths.length);
    for (const [route, status, count] of expected) {
      expect(countWith(data, attributes(route, status, '1.1'))).toBe(count);
    }
    expect(totalCount(data)).toBe(paths.length);
  });

  it('records a request whose client went away once, under its route, with error.type aborted', async () => {
    const { harness, port } = await serve();
    const socket = await openRequest(port, 'GET /hang/5 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitUntil(async () => activeTotal(await harness.collect()) === 1)).toBe(true);
    socket.destroy();
    const data = await settle(harness, 1);
    expect(data.durations.map((p) => [p.attributes['http.route'], p.attributes['error.type']])).toEqual([
      ['/hang/:id', 'aborted'],
    ]);
    expect(activeTotal(data)).toBe(0);
  });

  it('asks ignore() with the Node request', async () => {
    const { harness, port } = await serve({ ignore: (req) => req.url === '/users/0' });
    await (await fetch(`http://127.0.0.1:${port}/users/0`)).text();
    await (await fetch(`http://127.0.0.1:${port}/users/1`)).text();
    expect(totalCount(await settle(harness, 1))).toBe(1);
  });
});

describe('honoMiddleware on the fetch API', () => {
  function build(options: HttpServerMetricsOptions = {}) {
    const harness = createMetricsHarness();
    cleanups.push(harness.shutdown);
    const kit = createHttpServerMetrics(harness.meter, options);
    return { harness, kit, app: buildApp(kit) };
  }

  it('records hono route templates without network.protocol.version, which the fetch API does not tell', async () => {
    const { harness, app } = build();
    for (const path of paths) await (await app.request(path)).text();
    const data = await harness.collect();
    for (const [route, status, count] of expected) {
      expect(countWith(data, attributes(route, status))).toBe(count);
    }
    expect(totalCount(data)).toBe(paths.length);
    expect(activeTotal(data)).toBe(0);
  });

  it('records a handler error that hono rethrows with error.type _OTHER and passes the error on', async () => {
    const { harness, kit } = build();
    const app = new Hono();
    app.use(kit.honoMiddleware);
    app.get('/teapot/:id', () => {
      throw new HTTPException(418);
    });
    app.onError((error) => {
      throw error;
    });
    await expect(app.request('https://api.example/teapot/1')).rejects.toBeInstanceOf(HTTPException);
    const data = await harness.collect();
    expect(data.durations.map((p) => p.attributes)).toEqual([
      {
        'http.request.method': 'GET',
        'url.scheme': 'https',
        'http.route': '/teapot/:id',
        'error.type': '_OTHER',
      },
    ]);
    expect(activeTotal(data)).toBe(0);
  });

  it('templates the paths of an app.notFound() that answers 200 only with templatePaths, within its budget', async () => {
    for (const templatePaths of [undefined, { maxValues: 1 }]) {
      const { harness, kit } = build(templatePaths ? { templatePaths } : {});
      const app = new Hono();
      app.use(kit.honoMiddleware);
      app.notFound((c) => c.html('<main>single-page app</main>'));
      for (const path of ['/files/123', '/files/456', '/other/789']) await app.request(path);
      const data = await harness.collect();
      if (templatePaths) {
        expect(countWith(data, attributes('/files/:id', 200))).toBe(2);
        expect(countWith(data, attributes(undefined, 200))).toBe(1);
      } else {
        expect(countWith(data, attributes(undefined, 200))).toBe(3);
      }
    }
  });

  it('passes requests through, recording nothing, when disabled', async () => {
    const { harness, app } = build({ enabled: false });
    expect((await app.request('/users/1')).status).toBe(200);
    expect((await harness.collect()).names).toEqual([]);
  });
});
