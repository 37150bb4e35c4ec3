import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
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

/** An express app with the kit's middleware mounted first, a router under /api and an error handler. */
function buildApp(kit: ReturnType<typeof createHttpServerMetrics>) {
  const app = express();
  app.use(kit.middleware);
  const api = express.Router();
  api.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  api.post('/orders', (_req, res) => {
    res.status(201).json({ ok: true });
  });
  api.get('/explode/:id', () => {
    throw new Error('handler failed');
  });
  api.get('/hang/:id', () => {
    // never responds: the client goes away first
  });
  app.use('/api', api);
  const admin = express();
  admin.get('/reports/:id', (req, res) => {
    if (req.params.id === 'bad') throw new Error('report failed');
    res.send('report');
  });
  app.use('/admin', admin);
  app.get('/healthz', (_req, res) => {
    res.send('ok');
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).send(error.message);
  });
  return app;
}

async function serve(options: HttpServerMetricsOptions = {}, wrapToo = false) {
  const harness = createMetricsHarness();
  const kit = createHttpServerMetrics(harness.meter, options);
  const app = buildApp(kit);
  const server = await listen(createServer(wrapToo ? kit.wrap(app) : app));
  cleanups.push(harness.shutdown, server.close);
  const request = async (path: string, init?: RequestInit) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, init);
    await response.arrayBuffer();
    return response.status;
  };
  return { harness, port: server.port, request };
}

async function settle(harness: MetricsHarness, requests: number) {
  await waitUntil(async () => totalCount(await harness.collect()) >= requests);
  return harness.collect();
}

function attributes(method: string, route: string | undefined, status: number) {
  return {
    'http.request.method': method,
    'http.response.status_code': status,
    'url.scheme': 'http',
    ...(route === undefined ? {} : { 'http.route': route }),
    'network.protocol.version': '1.1',
  };
}

describe('createHttpServerMetrics middleware with express', () => {
  it('records express routes (baseUrl + route.path) instead of the requested paths', async () => {
    const { harness, request } = await serve();
    expect(await request('/api/users/41')).toBe(200);
    expect(await request('/api/users/alice')).toBe(200);
    expect(await request('/api/orders', { method: 'POST' })).toBe(201);
    const data = await settle(harness, 3);
    expect(countWith(data, attributes('GET', '/api/users/:id', 200))).toBe(2);
    expect(countWith(data, attributes('POST', '/api/orders', 201))).toBe(1);
    expect(data.durations).toHaveLength(2);
  });

  it('records a request no route matched (404) without http.route, so typed paths never become labels', async () => {
    const { harness, request } = await serve();
    expect(await request('/nope/12345/deeper?q=private')).toBe(404);
    const data = await settle(harness, 1);
    expect(data.durations.map((p) => p.attributes)).toEqual([attributes('GET', undefined, 404)]);
  });

  it('records a handler error turned into a 500 under its route with error.type 500', async () => {
    const { harness, request } = await serve();
    expect(await request('/api/explode/9')).toBe(500);
    const data = await settle(harness, 1);
    expect(countWith(data, { ...attributes('GET', '/api/explode/:id', 500), 'error.type': '500' })).toBe(1);
  });

  it('keeps the mount path of a sub-app route, also when its error is handled by the parent app', async () => {
    const { harness, request } = await serve();
    expect(await request('/admin/reports/2024')).toBe(200);
    expect(await request('/admin/reports/bad')).toBe(500);
    const data = await settle(harness, 2);
    expect(countWith(data, attributes('GET', '/admin/reports/:id', 200))).toBe(1);
    expect(countWith(data, { ...attributes('GET', '/admin/reports/:id', 500), 'error.type': '500' })).toBe(1);
  });

  it('records a request whose client went away once, under its route, with error.type aborted', async () => {
    const { harness, port } = await serve();
    const socket = await openRequest(port, 'GET /api/hang/3 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitUntil(async () => activeTotal(await harness.collect()) === 1)).toBe(true);
    socket.destroy();
    const data = await settle(harness, 1);
    expect(data.durations.map((p) => [p.attributes, p.value.count])).toEqual([
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'http.route': '/api/hang/:id',
          'network.protocol.version': '1.1',
          'error.type': 'aborted',
        },
        1,
      ],
    ]);
    expect(activeTotal(data)).toBe(0);
  });

  it('measures once, with the express route, when the app is also wrapped for createServer', async () => {
    const { harness, request } = await serve({}, true);
    await request('/api/users/7');
    await request('/api/users/8');
    const data = await settle(harness, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(totalCount(await harness.collect())).toBe(2);
    expect(countWith(data, attributes('GET', '/api/users/:id', 200))).toBe(2);
  });

  it('skips ignored requests and records nothing when disabled', async () => {
    const ignoring = await serve({ ignore: (req) => req.url === '/healthz' });
    await ignoring.request('/healthz');
    await ignoring.request('/api/users/1');
    const data = await settle(ignoring.harness, 1);
    expect(totalCount(data)).toBe(1);

    const disabled = await serve({ enabled: false });
    expect(await disabled.request('/api/users/1')).toBe(200);
    expect((await disabled.harness.collect()).names).toEqual([]);
  });
});
