import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusHttpDatasource } from './prometheus-http-datasource.ts';

type Handler = (req: IncomingMessage, body: string) => { status: number; body: string };

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const out = handler(req, body);
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const vector = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { pool: 'a' }, value: [1700000000.5, '42'] },
      { metric: { pool: 'b' }, value: [1700000000.5, '+Inf'] },
    ],
  },
});

describe('createPrometheusHttpDatasource', () => {
  it('posts the query and time, sends bearer auth, and decodes a vector', async () => {
    let seen: { auth?: string; body?: string; path?: string } = {};
    const url = await serve((req, body) => {
      seen = { auth: req.headers.authorization, body, path: req.url };
      return { status: 200, body: vector };
    });
    const ds = createPrometheusHttpDatasource({ url, auth: { type: 'bearer', token: 's3cret' } });
    const v = await ds.query('up == 0', 1_700_000_000_500);
    expect(seen.path).toBe('/api/v1/query');
    expect(seen.auth).toBe('Bearer s3cret');
    expect(new URLSearchParams(seen.body).get('query')).toBe('up == 0');
    expect(new URLSearchParams(seen.body).get('time')).toBe('1700000000.500');
    expect(v).toEqual({
      type: 'vector',
      samples: [
        { labels: { pool: 'a' }, value: 42 },
        { labels: { pool: 'b' }, value: Number.POSITIVE_INFINITY },
      ],
    });
  });

  it('sends basic auth and decodes scalars', async () => {
    let auth: string | undefined;
    const url = await serve((req) => {
      auth = req.headers.authorization;
      return {
        status: 200,
        body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, 'NaN'] } }),
      };
    });
    const ds = createPrometheusHttpDatasource({ url, auth: { type: 'basic', username: 'u', password: 'p' } });
    const v = await ds.query('1', 0);
    expect(auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(v.type === 'scalar' && Number.isNaN(v.value)).toBe(true);
  });

  it('retries 5xx answers with backoff and succeeds when the server recovers', async () => {
    let calls = 0;
    const url = await serve(() => {
      calls++;
      return calls < 3 ? { status: 503, body: 'unavailable' } : { status: 200, body: vector };
    });
    const ds = createPrometheusHttpDatasource({ url, retries: 2, backoffMs: 5 });
    const v = await ds.query('up', 0);
    expect(calls).toBe(3);
    expect(v.type).toBe('vector');
  });

  it('gives up after the retries and does not retry bad queries', async () => {
    let calls = 0;
    const url = await serve((_req, body) => {
      calls++;
      return new URLSearchParams(body).get('query') === 'bad('
        ? {
            status: 400,
            body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
          }
        : { status: 500, body: '' };
    });
    const ds = createPrometheusHttpDatasource({ url, retries: 1, backoffMs: 1 });
    await expect(ds.query('up', 0)).rejects.toMatchObject({
      code: 'DATASOURCE_FAILED',
      message: expect.stringMatching(/HTTP 500/),
    });
    expect(calls).toBe(2);
    calls = 0;
    await expect(ds.query('bad(', 0)).rejects.toThrow('query failed: parse error');
    expect(calls).toBe(1);
  });

  it('times out a hanging server', async () => {
    server = createServer(() => {});
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const ds = createPrometheusHttpDatasource({ url, timeoutMs: 50, retries: 0 });
    await expect(ds.query('up', 0)).rejects.toThrow(/timed out after 50 ms/);
    server.closeAllConnections();
  });
});
