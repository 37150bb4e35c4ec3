import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import {
  startTelemetryServer,
  type TelemetryServer,
  type TelemetryServerOptions,
} from './telemetry-server.ts';
import { createWebUiHandler, mountWebUi, WEB_UI_PAGES } from './web-ui.ts';

const INDEX = '<!doctype html><script type="module" src="/ui/app-ABC123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

/** A bundle as build-ui writes it: index.html, a hashed script and stylesheet, each with a .gz beside it. */
function writeBundle(dir: string): void {
  for (const [name, text] of [
    ['index.html', INDEX],
    ['app-ABC123.js', SCRIPT],
    ['app-DEF456.css', 'body{margin:0}'],
  ] as const) {
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, `${name}.gz`), gzipSync(text));
  }
  writeFileSync(join(dir, 'notes.txt'), 'not part of the bundle');
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request without fetch's automatic decompression, to see the bytes on the wire. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const bundleDir = mkdtempSync(join(tmpdir(), 'yardstick-web-ui-'));
writeBundle(bundleDir);
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

const base: TelemetryServerOptions = {
  host: '127.0.0.1',
  port: 0,
  metricsPath: '/metrics',
  gzip: true,
  logger: silentLogger,
};

let server: TelemetryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serveUi(
  options: Partial<TelemetryServerOptions> = {},
  dir = bundleDir,
): Promise<TelemetryServer> {
  const source = {
    negotiate: () => ({ format: 'text' as const, contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    render: async () => (async function* () {})(),
  };
  server = await startTelemetryServer(source, { ...base, ...options });
  mountWebUi(server, createWebUiHandler({ dir }));
  return server;
}

describe('web UI routes', () => {
  it('answers every page path, with or without a query string, with the document, never cached', async () => {
    const { url } = await serveUi();
    for (const page of [...WEB_UI_PAGES, '/graph?g0.expr=sum%20by%20(job)%20(up)&g0.tab=1']) {
      const answer = await raw(`${url}${page}`);
      expect(answer.status, page).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.body.toString()).toBe(INDEX);
    }
  });

  it('serves the hashed files with their content types, cached for good, and 404 for anything else', async () => {
    const { url } = await serveUi();
    const script = await raw(`${url}/ui/app-ABC123.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body.toString()).toBe(SCRIPT);
    const style = await raw(`${url}/ui/app-DEF456.css`);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of [
      '/ui/notes.txt',
      '/ui/index.html',
      '/ui/app-ABC123.js.gz',
      '/ui/../package.json',
      '/ui/',
      '/graphs',
    ])
      expect((await raw(`${url}${path}`)).status, path).toBe(404);
  });

  it('gzips for clients that accept it, with Vary, and sends the plain bytes to others', async () => {
    const { url } = await serveUi();
    const zipped = await raw(`${url}/ui/app-ABC123.js`, { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(zipped.body).toString()).toBe(SCRIPT);
    const refused = await raw(`${url}/ui/app-ABC123.js`, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.toString()).toBe(SCRIPT);
  });

  it('answers HEAD without a body, and 405 to other methods', async () => {
    const { url } = await serveUi();
    const head = await raw(`${url}/alerts`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(INDEX.length);
    expect(head.body.length).toBe(0);
    const post = await raw(`${url}/graph`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('sends a content security policy that allows only its own origin, and nosniff', async () => {
    const { url } = await serveUi();
    const answer = await raw(`${url}/graph`);
    const policy = answer.headers['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/https?:/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('requires the server basic auth on pages and files', async () => {
    const { url } = await serveUi({ auth: { username: 'ops', password: 'correct-horse' } });
    const authorization = `Basic ${Buffer.from('ops:correct-horse').toString('base64')}`;
    for (const path of ['/', '/graph', '/alerts', '/ui/app-ABC123.js']) {
      expect((await raw(`${url}${path}`)).status, path).toBe(401);
      expect((await raw(`${url}${path}`, { headers: { authorization } })).status, path).toBe(200);
    }
  });

  it('serves the run-time dashboards at /ui/dashboards.json, read on every request, behind the basic auth', async () => {
    const dashboards: string[] = [];
    server = await startTelemetryServer(
      {
        negotiate: () => ({ format: 'text', contentType: 'text/plain' }),
        render: async () => (async function* () {})(),
      },
      { ...base, auth: { username: 'ops', password: 'correct-horse' } },
    );
    mountWebUi(server, createWebUiHandler({ dir: bundleDir, dashboards: () => `[${dashboards.join(',')}]` }));
    const authorization = `Basic ${Buffer.from('ops:correct-horse').toString('base64')}`;
    const url = `${server.url}/ui/dashboards.json`;
    expect((await raw(url)).status).toBe(401);
    expect(JSON.parse((await raw(url, { headers: { authorization } })).body.toString())).toEqual([]);
    dashboards.push('{"title":"Checkout"}');
    const answer = await raw(url, { headers: { authorization } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(answer.body.toString())).toEqual([{ title: 'Checkout' }]);
  });

  it('answers 403 to clients outside the CIDR allow-list', async () => {
    const { url } = await serveUi({ allowedCidrs: ['10.0.0.0/8'] });
    expect((await raw(`${url}/graph`)).status).toBe(403);
    expect((await raw(`${url}/ui/app-ABC123.js`)).status).toBe(403);
    expect((await raw(`${url}/ui/dashboards.json`)).status).toBe(403);
  });

  it('leaves a reserved path (the metrics path) to what it serves', async () => {
    server = await startTelemetryServer(
      {
        negotiate: () => ({ format: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
        render: async () =>
          (async function* () {
            yield 'up 1\n';
          })(),
      },
      { ...base, metricsPath: '/' },
    );
    mountWebUi(server, createWebUiHandler({ dir: bundleDir }), ['/']);
    expect((await raw(`${server.url}/`)).body.toString()).toBe('up 1\n');
    expect((await raw(`${server.url}/graph`)).body.toString()).toBe(INDEX);
  });

  it('answers 503 naming the build command when the bundle was not built, and says so once', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'yardstick-web-ui-empty-'));
    try {
      const told: string[] = [];
      const handler = createWebUiHandler({ dir: empty, onMissing: (message) => told.push(message) });
      server = await startTelemetryServer(
        {
          negotiate: () => ({ format: 'text', contentType: 'text/plain' }),
          render: async () => (async function* () {})(),
        },
        base,
      );
      mountWebUi(server, handler);
      const answer = await raw(`${server.url}/graph`);
      expect(answer.status).toBe(503);
      expect(answer.body.toString()).toContain('npm run build -w @yardstick/sdk');
      await raw(`${server.url}/alerts`);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(join(empty, 'index.html'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
