import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusReader } from '../../exposition/prometheus-reader.ts';
import { trackHttpClientRequests } from './http-client-metrics.ts';
import { ServerIds } from './server-ids.ts';

let server: Server;
let unlisted: Server;
let base: string;
/** A server no configuration names. */
let unlistedBase: string;
let refusedPort: number;

async function scrape(reader: PrometheusReader): Promise<string[]> {
  let text = '';
  for await (const chunk of await reader.render('text')) text += chunk;
  return text.split('\n');
}

/** `_count` of the duration histogram for the attributes (scope label aside), or undefined. */
function count(lines: string[], labels: string): number | undefined {
  const line = lines.find((l) =>
    l.startsWith(`http_client_request_duration_seconds_count{${labels},otel_scope_name=`),
  );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function nodeGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    get(url, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    }).once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url?.endsWith('/down') ? 503 : 200).end('answer');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  unlisted = createServer((_req, res) => res.end('elsewhere'));
  await new Promise<void>((resolve) => unlisted.listen(0, '127.0.0.1', resolve));
  unlistedBase = `http://127.0.0.1:${(unlisted.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  for (const s of [server, unlisted]) await new Promise<void>((resolve) => s.close(() => resolve()));
});

describe('the HTTP client kit', () => {
  it('records fetch and node:http requests by configured server id, status and error type, never an address', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const clients = trackHttpClientRequests(provider.getMeter('clients'), {
      servers: { 'llm-a': `${base}/v1`, legacy: base, gone: `http://127.0.0.1:${refusedPort}` },
    });
    try {
      for (let i = 0; i < 3; i++) await (await fetch(`${base}/v1/chat`)).text();
      await (await fetch(`${base}/v1/down`)).text();
      await (await fetch(`${base}/other`)).text();
      await fetch(`http://127.0.0.1:${refusedPort}/x`).catch(() => undefined);
      expect(await nodeGet(`${base}/v1/chat`)).toBe(200);
      expect(await nodeGet(`http://127.0.0.1:${refusedPort}/x`)).toBe('ECONNREFUSED');
      await (await fetch(`${unlistedBase}/v1/chat`)).text();

      const lines = await scrape(reader);
      expect(lines).toContain('# TYPE http_client_request_duration_seconds histogram');
      const ok =
        'http_request_method="GET",http_response_status_code="200",server_address="llm-a",url_scheme="http"';
      expect(count(lines, ok)).toBe(4);
      expect(
        count(
          lines,
          'error_type="503",http_request_method="GET",http_response_status_code="503",server_address="llm-a",url_scheme="http"',
        ),
      ).toBe(1);
      expect(
        count(
          lines,
          'http_request_method="GET",http_response_status_code="200",server_address="legacy",url_scheme="http"',
        ),
      ).toBe(1);
      expect(
        count(
          lines,
          'error_type="ECONNREFUSED",http_request_method="GET",server_address="gone",url_scheme="http"',
        ),
      ).toBe(2);
      expect(
        count(
          lines,
          'http_request_method="GET",http_response_status_code="200",server_address="_OTHER",url_scheme="http"',
        ),
      ).toBe(1);
      const text = lines.join('\n');
      expect(text).not.toContain('127.0.0.1');

      clients.stop();
      clients.stop();
      await (await fetch(`${base}/v1/chat`)).text();
      expect(count(await scrape(reader), ok)).toBe(4);
    } finally {
      clients.stop();
      await provider.shutdown();
    }
  });
});

describe('ServerIds', () => {
  const ids = new ServerIds({
    openai: 'https://api.openai.com/v1',
    local: 'http://10.0.0.7:8000/v1/',
    admin: 'http://10.0.0.7:8000/admin',
    proxy: 'http://10.0.0.9:3128',
  });

  it('matches scheme, host, port and the longest path prefix', () => {
    expect(ids.resolve('https:', 'api.openai.com', undefined, '/v1/chat/completions')).toBe('openai');
    expect(ids.resolve('https:', 'API.OPENAI.COM', '443', '/v1')).toBe('openai');
    expect(ids.resolve('http:', 'api.openai.com', '443', '/v1')).toBe('_OTHER');
    expect(ids.resolve('http:', '10.0.0.7', '8000', '/v1/models?x=1')).toBe('local');
    expect(ids.resolve('http:', '10.0.0.7', '8000', '/admin/x')).toBe('admin');
    expect(ids.resolve('http:', '10.0.0.7', '8000', '/v10')).toBe('_OTHER');
    expect(ids.resolve('http:', '10.0.0.7', '8001', '/v1')).toBe('_OTHER');
  });

  it('attributes absolute-form proxy requests to the proxy, and a port-less failure only when the host is unambiguous', () => {
    expect(ids.resolve('http:', '10.0.0.9', '3128', 'http://example.test/items')).toBe('proxy');
    expect(ids.resolve('http:', '10.0.0.9', undefined, 'http://example.test/items')).toBe('proxy');
    expect(ids.resolve('http:', '10.0.0.7', undefined, '/v1/x')).toBe('local');
    expect(ids.resolve('http:', '10.0.0.7', undefined, '/')).toBe('_OTHER');
  });
});

describe('ServerIds, for any configuration and request', () => {
  it('answers a configured id or _OTHER, never anything taken from the request', () => {
    const host = fc.constantFrom('10.0.0.7', '10.0.0.9', 'api.example.test', '[::1]');
    const base = fc.record({
      protocol: fc.constantFrom('http:', 'https:'),
      host,
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.constantFrom('', '/v1', '/v1/chat', '/admin'),
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), base, { maxKeys: 5 }),
        base,
        fc.string({ maxLength: 30 }),
        (servers, request, suffix) => {
          const urls = Object.fromEntries(
            Object.entries(servers).map(([id, b]) => [
              id,
              `${b.protocol}//${b.host}${b.port === undefined ? '' : `:${b.port}`}${b.path}`,
            ]),
          );
          const id = new ServerIds(urls).resolve(
            request.protocol,
            request.host.replace(/^\[|\]$/g, ''),
            request.port === undefined ? undefined : String(request.port),
            `${request.path}/${suffix}`,
          );
          expect(id === '_OTHER' || Object.hasOwn(urls, id)).toBe(true);
        },
      ),
    );
  });
});
