import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsGzip, createMetricsHandler, type ExpositionSource } from './metrics-handler.ts';

const source: ExpositionSource = {
  negotiate: () => ({ format: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
  async render() {
    async function* chunks() {
      yield 'app_up 1\n';
    }
    return chunks();
  },
};

const failing: ExpositionSource = {
  ...source,
  render: () => Promise.reject(new Error('collection exploded')),
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function appWith(handler: ReturnType<typeof createMetricsHandler>): Promise<string> {
  // an existing application server that mounts the handler on its own route
  server = createServer((req, res) => {
    if (req.url === '/internal/metrics') return handler(req, res);
    res.writeHead(200).end('app');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createMetricsHandler', () => {
  it('serves the exposition inside an existing node:http server', async () => {
    const url = await appWith(createMetricsHandler(source));
    const res = await fetch(`${url}/internal/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('app_up 1\n');
    expect(await (await fetch(`${url}/`)).text()).toBe('app');
  });

  it('answers HEAD without a body and applies its own auth', async () => {
    const url = await appWith(
      createMetricsHandler(source, { auth: { username: 'prom', password: 'long-enough' } }),
    );
    expect((await fetch(`${url}/internal/metrics`)).status).toBe(401);
    const head = await fetch(`${url}/internal/metrics`, {
      method: 'HEAD',
      headers: { authorization: `Basic ${Buffer.from('prom:long-enough').toString('base64')}` },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 500 without internals and reports the error when collection fails', async () => {
    const errors: unknown[] = [];
    const url = await appWith(createMetricsHandler(failing, { onError: (e) => errors.push(e) }));
    const res = await fetch(`${url}/internal/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('exploded');
    expect(errors).toHaveLength(1);
  });
});

describe('acceptsGzip', () => {
  it('reads Accept-Encoding with q-values', () => {
    expect(acceptsGzip('gzip, deflate')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
