import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import type { ExpositionSource } from './metrics-handler.ts';
import {
  startTelemetryServer,
  type TelemetryServer,
  type TelemetryServerOptions,
} from './telemetry-server.ts';

/** A source that renders a fixed two-chunk exposition and records the formats asked for. */
function fixedSource(): ExpositionSource & { formats: string[] } {
  const formats: string[] = [];
  return {
    formats,
    negotiate: (accept) =>
      accept?.includes('application/openmetrics-text')
        ? { format: 'openmetrics', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' }
        : { format: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
    async render(format) {
      formats.push(format);
      async function* chunks() {
        yield '# TYPE up gauge\n';
        yield format === 'openmetrics' ? 'up 1\n# EOF\n' : 'up 1\n';
      }
      return chunks();
    },
  };
}

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

describe('telemetry server', () => {
  it('serves /metrics in text format by default and OpenMetrics when asked', async () => {
    const source = fixedSource();
    server = await startTelemetryServer(source, base);
    const text = await fetch(`${server.url}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toContain('version=0.0.4');
    expect(await text.text()).toBe('# TYPE up gauge\nup 1\n');
    const om = await fetch(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
    expect(await om.text()).toMatch(/# EOF\n$/);
    expect(source.formats).toEqual(['text', 'openmetrics']);
  });

  it('gzips when the client accepts it and not otherwise', async () => {
    server = await startTelemetryServer(fixedSource(), base);
    const { port } = server;
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get({ host: '127.0.0.1', port, path: '/metrics', headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }),
          );
        }).on('error', reject),
      );
    });
    expect(raw.encoding).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toBe('# TYPE up gauge\nup 1\n');
  });

  it('answers /healthz, 404 for unknown paths and 405 for other methods', async () => {
    server = await startTelemetryServer(fixedSource(), base);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('requires basic auth when configured: 401 with WWW-Authenticate for missing or wrong credentials', async () => {
    server = await startTelemetryServer(fixedSource(), {
      ...base,
      auth: { username: 'prom', password: 'correct-horse' },
    });
    const missing = await fetch(`${server.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic realm="yardstick"/);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from('prom:wrong-horse').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from('prom:correct-horse').toString('base64')}` },
    });
    expect(right.status).toBe(200);
    // liveness probes need no credentials
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 403 to clients outside the CIDR allowlist, on every path', async () => {
    server = await startTelemetryServer(fixedSource(), { ...base, allowedCidrs: ['10.0.0.0/8'] });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(403);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(403);
    await server.close();
    server = await startTelemetryServer(fixedSource(), {
      ...base,
      allowedCidrs: ['10.0.0.0/8', '127.0.0.0/8'],
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });

  it('serves HTTPS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yardstick-tls-'));
    try {
      const certFile = join(dir, 'cert.pem');
      const keyFile = join(dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'ignore' },
      );
      server = await startTelemetryServer(fixedSource(), { ...base, tls: { certFile, keyFile } });
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { port } = server;
      const body = await new Promise<string>((resolve, reject) => {
        httpsRequest(
          { host: '127.0.0.1', port, path: '/metrics', ca: [execFileSync('cat', [certFile])] },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => {
              text += d.toString();
            });
            res.on('end', () => resolve(text));
          },
        )
          .on('error', reject)
          .end();
      });
      expect(body).toBe('# TYPE up gauge\nup 1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to start with SERVER_START naming the address when the port is taken', async () => {
    server = await startTelemetryServer(fixedSource(), base);
    await expect(startTelemetryServer(fixedSource(), { ...base, port: server.port })).rejects.toMatchObject({
      code: 'SERVER_START',
      message: expect.stringContaining(`127.0.0.1:${server.port}`),
    });
  });

  it('mounts extra routes and closes idempotently', async () => {
    server = await startTelemetryServer(fixedSource(), base);
    server.mount('/v1/stats', {
      methods: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      },
    });
    server.mount('/api/v1/*', {
      methods: ['GET', 'POST'],
      handler: (req, res) => {
        res.writeHead(200).end(req.url);
      },
    });
    expect(await (await fetch(`${server.url}/v1/stats`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/api/v1/query?query=up`)).text()).toBe('/api/v1/query?query=up');
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
