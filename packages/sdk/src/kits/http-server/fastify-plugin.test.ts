import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServerMetrics, type HttpServerMetricsOptions } from './http-server-metrics.ts';
import {
  activeTotal,
  countWith,
  createMetricsHarness,
  type MetricsHarness,
  openRequest,
  rawRequest,
  totalCount,
  waitUntil,
} from './testing/kit-harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Routes registered inside an encapsulated child plugin with a prefix, so the kit must reach past it. */
async function routes(app: FastifyInstance) {
  await app.register(
    async (child) => {
      child.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
      child.get('/fail', async (_request, reply) => reply.code(502).send({ error: 'upstream' }));
      child.get('/hang/:id', () => new Promise(() => {}));
    },
    { prefix: '/v1' },
  );
  app.get('/healthz', async () => 'ok');
}

async function serve(options: HttpServerMetricsOptions = {}, wrapToo = false) {
  const harness = createMetricsHarness();
  const kit = createHttpServerMetrics(harness.meter, options);
  const app = wrapToo ? Fastify({ serverFactory: (handler) => createServer(kit.wrap(handler)) }) : Fastify();
  await app.register(kit.fastifyPlugin);
  await routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  cleanups.push(harness.shutdown, async () => {
    app.server.closeAllConnections();
    await app.close();
  });
  const request = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    await response.arrayBuffer();
    return response.status;
  };
  return { harness, port, request };
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

describe('createHttpServerMetrics fastifyPlugin', () => {
  it('records fastify route templates, prefix included, for routes in encapsulated plugins', async () => {
    const { harness, request } = await serve();
    expect(await request('/v1/items/1001')).toBe(200);
    expect(await request('/v1/items/abc')).toBe(200);
    expect(await request('/v1/fail')).toBe(502);
    const data = await settle(harness, 3);
    expect(countWith(data, attributes('GET', '/v1/items/:id', 200))).toBe(2);
    expect(countWith(data, { ...attributes('GET', '/v1/fail', 502), 'error.type': '502' })).toBe(1);
  });

  it('records a 404 without http.route and unknown methods as _OTHER', async () => {
    const { harness, port, request } = await serve();
    expect(await request('/missing/777?x=1')).toBe(404);
    await rawRequest(port, 'PROPFIND /v1/items/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const data = await settle(harness, 2);
    expect(countWith(data, attributes('GET', undefined, 404))).toBe(1);
    const other = data.durations.find((p) => p.attributes['http.request.method'] === '_OTHER');
    // fastify has no PROPFIND route there: a 404, so no http.route either.
    expect(other?.attributes['http.response.status_code']).toBe(404);
    expect(other?.attributes['http.route']).toBeUndefined();
    expect(other?.value.count).toBe(1);
  });

  it('records an aborted request once, with error.type aborted', async () => {
    const { harness, port } = await serve();
    const socket = await openRequest(port, 'GET /v1/hang/12 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitUntil(async () => activeTotal(await harness.collect()) === 1)).toBe(true);
    socket.destroy();
    const data = await settle(harness, 1);
    expect(
      data.durations.map((p) => [p.attributes['http.route'], p.attributes['error.type'], p.value.count]),
    ).toEqual([['/v1/hang/:id', 'aborted', 1]]);
    expect(activeTotal(data)).toBe(0);
  });

  it('measures once, with the fastify route, when the server factory also wraps the handler', async () => {
    const { harness, request } = await serve({}, true);
    await request('/v1/items/3');
    const data = await settle(harness, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(totalCount(await harness.collect())).toBe(1);
    expect(countWith(data, attributes('GET', '/v1/items/:id', 200))).toBe(1);
  });

  it('skips ignored requests and records nothing when disabled', async () => {
    const ignoring = await serve({ ignore: (req) => req.url === '/healthz' });
    await ignoring.request('/healthz');
    await ignoring.request('/v1/items/2');
    expect(totalCount(await settle(ignoring.harness, 1))).toBe(1);

    const disabled = await serve({ enabled: false });
    expect(await disabled.request('/v1/items/2')).toBe(200);
    expect((await disabled.harness.collect()).names).toEqual([]);
  });
});
