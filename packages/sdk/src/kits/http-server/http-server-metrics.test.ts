import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServerMetrics, type HttpServerMetricsOptions } from './http-server-metrics.ts';
import {
  activeTotal,
  countWith,
  createMetricsHarness,
  listen,
  type MetricsHarness,
  openRequest,
  rawRequest,
  totalCount,
  waitUntil,
} from './testing/kit-harness.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A node:http server through `wrap`, with the harness that reads back what the kit recorded. */
async function serve(handler: Handler, options: HttpServerMetricsOptions = {}) {
  const harness = createMetricsHarness();
  const kit = createHttpServerMetrics(harness.meter, options);
  const server = await listen(createServer(kit.wrap(handler)));
  cleanups.push(harness.shutdown, server.close);
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, init);
    await response.arrayBuffer();
    return response.status;
  };
  return { harness, kit, port: server.port, get };
}

const respond: Handler = (req, res) => {
  const status = /^\/status\/(\d+)/.exec(req.url ?? '')?.[1];
  res.writeHead(status ? Number(status) : 200, { 'content-type': 'text/plain' }).end('ok');
};

async function settle(harness: MetricsHarness, requests: number) {
  // 'close' follows the last byte the client reads by a tick; wait (bounded) until every request is in.
  await waitUntil(async () => totalCount(await harness.collect()) >= requests);
  return harness.collect();
}

describe('createHttpServerMetrics with wrap (node:http)', () => {
  it('records one duration per request with the semantic-convention attributes, and no http.route without a route template', async () => {
    const { harness, get } = await serve(respond);
    expect(await get('/users/12345?token=secret')).toBe(200);
    expect(await get('/users/678')).toBe(200);
    const data = await settle(harness, 2);
    expect(data.durations).toHaveLength(1);
    const [point] = data.durations;
    expect(point!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
    });
    expect(point!.value.count).toBe(2);
    expect(point!.value.sum).toBeGreaterThan(0);
    expect(point!.value.buckets.boundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
  });

  it('with templatePaths, records templated paths as http.route up to maxValues of them, and never for a 404', async () => {
    const { harness, get } = await serve(respond, { templatePaths: { maxValues: 2 } });
    for (const path of ['/users/1', '/users/2?x=1', '/orders/9f1c2e7a', '/wp-login.php', '/status/404']) {
      await get(path);
    }
    await get('/users/3');
    const data = await settle(harness, 6);
    expect(countWith(data, base('/users/:id', 200))).toBe(3);
    expect(countWith(data, base('/orders/:id', 200))).toBe(1);
    expect(countWith(data, base(undefined, 200))).toBe(1); // /wp-login.php: over the budget
    expect(countWith(data, base(undefined, 404))).toBe(1);
  });

  it('with templatePaths, never puts raw ids, query strings, hosts or credentials into an attribute', async () => {
    const { harness, port } = await serve(respond, { templatePaths: { maxValues: 10 } });
    await rawRequest(
      port,
      'GET http://admin:hunter2@internal.example:8080/orders/550e8400-e29b-41d4-a716-446655440000/items/42?session=abc123 HTTP/1.1\r\n' +
        'Host: internal.example\r\nUser-Agent: curl/8.0\r\nConnection: close\r\n\r\n',
    );
    const data = await settle(harness, 1);
    const values = data.durations.flatMap((p) => Object.values(p.attributes)).map(String);
    expect(data.durations[0]!.attributes['http.route']).toBe('/orders/:id/items/:id');
    for (const secret of [
      '550e8400',
      '42',
      'abc123',
      'session',
      'hunter2',
      'admin',
      'internal',
      'curl',
      '127.0.0.1',
    ]) {
      expect(values.some((value) => value.includes(secret))).toBe(false);
    }
  });

  it('records a 5xx with the status code as error.type, and no error.type for a 4xx', async () => {
    const { harness, get } = await serve(respond);
    await get('/status/503');
    await get('/status/400');
    await get('/status/404');
    const data = await settle(harness, 3);
    expect(countWith(data, { ...base(undefined, 503), 'error.type': '503' })).toBe(1);
    expect(countWith(data, base(undefined, 400))).toBe(1);
    expect(countWith(data, base(undefined, 404))).toBe(1);
  });

  it('records unknown methods as _OTHER and known ones as sent', async () => {
    const { harness, port, get } = await serve(respond);
    await rawRequest(port, 'PURGE /cache HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await get('/cache', { method: 'DELETE' });
    const data = await settle(harness, 2);
    expect(countWith(data, { ...base(undefined, 200), 'http.request.method': '_OTHER' })).toBe(1);
    expect(countWith(data, { ...base(undefined, 200), 'http.request.method': 'DELETE' })).toBe(1);
  });

  it('takes knownMethods as a full replacement of the known list', async () => {
    const { harness, port, get } = await serve(respond, { knownMethods: ['GET', 'PURGE'] });
    await rawRequest(port, 'PURGE /cache HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await get('/cache', { method: 'POST' });
    const data = await settle(harness, 2);
    expect(countWith(data, { ...base(undefined, 200), 'http.request.method': 'PURGE' })).toBe(1);
    expect(countWith(data, { ...base(undefined, 200), 'http.request.method': '_OTHER' })).toBe(1);
  });

  it('records the protocol version the client spoke', async () => {
    const { harness, port } = await serve(respond);
    await rawRequest(port, 'GET /old HTTP/1.0\r\n\r\n');
    const data = await settle(harness, 1);
    expect(countWith(data, { ...base(undefined, 200), 'network.protocol.version': '1.0' })).toBe(1);
  });

  it('records a request aborted before the response once, with error.type aborted and no status code', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { harness, port } = await serve(() => arrived()); // never responds
    const socket = await openRequest(port, 'GET /reports/2024 HTTP/1.1\r\nHost: x\r\n\r\n');
    await arrival;
    expect(activeTotal(await harness.collect())).toBe(1);
    socket.destroy();
    const data = await settle(harness, 1);
    expect(data.durations.map((p) => [p.attributes, p.value.count])).toEqual([
      [
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'network.protocol.version': '1.1',
          'error.type': 'aborted',
        },
        1,
      ],
    ]);
    expect(activeTotal(data)).toBe(0);
  });

  it('keeps the sent status code of a response cut off mid-body, with error.type aborted', async () => {
    let headSent!: () => void;
    const head = new Promise<void>((resolve) => {
      headSent = resolve;
    });
    const { harness, port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial', () => headSent());
    });
    const socket = await openRequest(port, 'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    await head;
    socket.destroy();
    const data = await settle(harness, 1);
    expect(countWith(data, { ...base(undefined, 200), 'error.type': 'aborted' })).toBe(1);
    expect(totalCount(data)).toBe(1);
  });

  it('counts requests in flight in http.server.active_requests by method and scheme', async () => {
    const pending: ServerResponse[] = [];
    const { harness, port, get } = await serve((req, res) => {
      if (req.url === '/slow') pending.push(res);
      else respond(req, res);
    });
    const slow = [get('/slow'), get('/slow')];
    expect(await waitUntil(async () => activeTotal(await harness.collect()) === 2)).toBe(true);
    const during = await harness.collect();
    expect(during.active.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'http.request.method': 'GET', 'url.scheme': 'http' }, 2],
    ]);
    for (const res of pending) res.end('done');
    await Promise.all(slow);
    await rawRequest(port, 'PURGE /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const after = await settle(harness, 3);
    expect(activeTotal(after)).toBe(0);
  });

  it('does not measure requests ignore() rejects', async () => {
    const { harness, get } = await serve(respond, { ignore: (req) => req.url === '/healthz' });
    await get('/healthz');
    await get('/healthz');
    await get('/work');
    const data = await settle(harness, 1);
    expect(totalCount(data)).toBe(1);
    expect(countWith(data, base(undefined, 200))).toBe(1);
    expect(activeTotal(data)).toBe(0);
  });

  it('uses the route() option, and records no http.route when it throws or has no answer, telling onError once', async () => {
    const errors: unknown[] = [];
    const { harness, get } = await serve(respond, {
      route: (req) => {
        if (req.url?.startsWith('/boom')) throw new Error('route failed');
        return req.url?.startsWith('/files/') ? '/files/*' : undefined;
      },
      onError: (error) => errors.push(error),
    });
    expect(await get('/files/a/b/c.txt')).toBe(200);
    expect(await get('/boom/77')).toBe(200);
    expect(await get('/boom/78')).toBe(200);
    expect(await get('/plain')).toBe(200);
    const data = await settle(harness, 4);
    expect(countWith(data, base('/files/*', 200))).toBe(1);
    expect(countWith(data, base(undefined, 200))).toBe(3);
    expect(errors).toHaveLength(1);
  });

  it('measures a request that passes an ignore() which throws', async () => {
    const { harness, get } = await serve(respond, {
      ignore: () => {
        throw new Error('ignore failed');
      },
      onError: () => {},
    });
    expect(await get('/a')).toBe(200);
    expect(totalCount(await settle(harness, 1))).toBe(1);
  });

  it('measures a request once when two wrappers see it', async () => {
    const harness = createMetricsHarness();
    const kit = createHttpServerMetrics(harness.meter);
    const server = await listen(createServer(kit.wrap(kit.wrap(respond))));
    cleanups.push(harness.shutdown, server.close);
    await fetch(`http://127.0.0.1:${server.port}/twice`).then((r) => r.arrayBuffer());
    const data = await settle(harness, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(totalCount(await harness.collect())).toBe(1);
    expect(activeTotal(data)).toBe(0);
  });

  it('keeps serving when recording itself fails, and reports the failure once', async () => {
    const errors: unknown[] = [];
    const failing = {
      createHistogram: () => ({
        record() {
          throw new Error('exporter pipeline broken');
        },
      }),
      createObservableUpDownCounter: () => ({ addCallback() {} }),
    } as unknown as Meter;
    const kit = createHttpServerMetrics(failing, { onError: (error) => errors.push(error) });
    const server = await listen(createServer(kit.wrap(respond)));
    cleanups.push(server.close);
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`http://127.0.0.1:${server.port}/still/${i}`);
      expect(await response.text()).toBe('ok');
    }
    expect(await waitUntil(async () => errors.length === 1)).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('records nothing and returns the listener unchanged when disabled', async () => {
    const { harness, kit, get } = await serve(respond, { enabled: false });
    expect(kit.wrap(respond)).toBe(respond);
    expect(await get('/users/1')).toBe(200);
    const data = await harness.collect();
    expect(data.names).toEqual([]);
  });
});

function base(route: string | undefined, status: number) {
  return {
    'http.request.method': 'GET',
    'http.response.status_code': status,
    'url.scheme': 'http',
    ...(route === undefined ? {} : { 'http.route': route }),
    'network.protocol.version': '1.1',
  };
}
