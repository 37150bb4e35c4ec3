import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../logging/logger.ts';
import type { ExpositionSource } from './metrics-handler.ts';
import {
  startTelemetryServer,
  type TelemetryServer,
  type TelemetryServerOptions,
} from './telemetry-server.ts';
import { type SelfSignedCert, writeSelfSignedCert } from './testing/self-signed-cert.ts';

/** A logger that keeps the messages of warnings, to assert on what an operator reads. */
function warningsLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (_obj, msg) => warnings.push(msg ?? '') };
}

/** GETs `path` over a new TLS connection trusting `ca`; returns the body and the certificate the server showed. */
function httpsGet(port: number, path: string, ca: string[]): Promise<{ body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest({ host: '127.0.0.1', port, path, ca, agent: false }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ body, fingerprint }));
    })
      .on('error', reject)
      .end();
  });
}

/** Polls until `probe` is true or 10 s have passed. */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
      const cert = writeSelfSignedCert(dir, 'server');
      server = await startTelemetryServer(fixedSource(), { ...base, tls: cert });
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await httpsGet(server.port, '/metrics', [cert.certPem])).body).toBe('# TYPE up gauge\nup 1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to start with one line naming the address and the setting when the port is taken', async () => {
    server = await startTelemetryServer(fixedSource(), base);
    await expect(startTelemetryServer(fixedSource(), { ...base, port: server.port })).rejects.toMatchObject({
      code: 'SERVER_START',
      message: `telemetry server cannot listen on 127.0.0.1:${server.port}: the address is already in use; set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or 0 for any`,
    });
  });

  it('names the host setting when the host is not an address of this machine', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    await expect(startTelemetryServer(fixedSource(), { ...base, host: '192.0.2.1' })).rejects.toMatchObject({
      code: 'SERVER_START',
      message: expect.stringMatching(
        /^telemetry server cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine; set server\.host \(env OTEL_EXPORTER_PROMETHEUS_HOST\)$/,
      ),
    });
  });

  it.skipIf(process.getuid?.() === 0)('names the port setting when the port needs privileges', async () => {
    await expect(startTelemetryServer(fixedSource(), { ...base, port: 80 })).rejects.toMatchObject({
      code: 'SERVER_START',
      message: expect.stringContaining(
        '127.0.0.1:80: permission denied (ports below 1024 need privileges); set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT)',
      ),
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

describe('telemetry server TLS files', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Copies a certificate pair over the files the server was started with, key first as rotation tools do. */
  function rotate(to: SelfSignedCert, live: SelfSignedCert): void {
    copyFileSync(to.keyFile, live.keyFile);
    copyFileSync(to.certFile, live.certFile);
  }

  const fingerprint = (cert: SelfSignedCert) => new X509Certificate(cert.certPem).fingerprint256;

  it('refuses a file that is not PEM with SERVER_START naming the field and the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'yardstick-tls-'));
    const cert = writeSelfSignedCert(dir, 'server');
    writeFileSync(cert.certFile, 'not a certificate\n');
    await expect(startTelemetryServer(fixedSource(), { ...base, tls: cert })).rejects.toMatchObject({
      code: 'SERVER_START',
      message: `server.tls.certFile: ${cert.certFile} is not a PEM certificate (PEM routines::no start line)`,
    });
    const other = writeSelfSignedCert(dir, 'other');
    await expect(
      startTelemetryServer(fixedSource(), {
        ...base,
        tls: { certFile: other.certFile, keyFile: cert.keyFile },
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(
        new RegExp(`^server\\.tls\\.keyFile: ${cert.keyFile} does not belong to the certificate in certFile`),
      ),
    });
  });

  it('serves a rotated certificate without a restart, and keeps the old one while the new files are bad', async () => {
    dir = mkdtempSync(join(tmpdir(), 'yardstick-tls-'));
    const live = writeSelfSignedCert(dir, 'live');
    const first = writeSelfSignedCert(dir, 'first');
    const second = writeSelfSignedCert(dir, 'second');
    rotate(first, live);
    const logger = warningsLogger();
    server = await startTelemetryServer(fixedSource(), { ...base, tls: live, logger });
    const { port } = server;
    const trust = [first.certPem, second.certPem];
    expect((await httpsGet(port, '/healthz', trust)).fingerprint).toBe(fingerprint(first));

    rotate(second, live);
    await eventually('the rotated certificate', async () => {
      return (await httpsGet(port, '/healthz', trust)).fingerprint === fingerprint(second);
    });

    writeFileSync(live.certFile, '-----BEGIN CERTIFICATE-----\ntruncated');
    await eventually('the warning about the bad file', async () => logger.warnings.length > 0);
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^TLS reload failed: server\\.tls\\.certFile ${live.certFile} is not a PEM certificate .*; still serving the previous certificate$`,
        ),
      ),
    ]);
    const stillServed = await httpsGet(port, '/healthz', trust);
    expect(stillServed).toEqual({ body: 'ok\n', fingerprint: fingerprint(second) });
  });
});
