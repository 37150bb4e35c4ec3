import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, metrics } from '@opentelemetry/api';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logging/logger.ts';
import { writeSelfSignedCert } from './server/testing/self-signed-cert.ts';
import { startTelemetry, type Telemetry } from './start-telemetry.ts';

let telemetry: Telemetry | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'yardstick-start-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('startTelemetry', () => {
  it('starts with zero config: service name from package.json, /metrics on loopback, global provider', async () => {
    const cwd = projectDir({ 'package.json': JSON.stringify({ name: 'orders-api', version: '4.2.0' }) });
    telemetry = await startTelemetry({
      cwd,
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
      logger: silentLogger,
    });
    expect(telemetry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metrics.getMeterProvider()).toBe(telemetry.meterProvider);

    metrics.getMeter('orders').createCounter('orders.placed', { unit: '{order}' }).add(2, { channel: 'web' });
    const body = await (await fetch(`${telemetry.url}/metrics`)).text();
    expect(body).toMatch(/^orders_placed_total\{channel="web",otel_scope_name="orders"\} 2$/m);
    expect(body).toMatch(/target_info\{[^}]*service_name="orders-api"/);
    expect(body).toMatch(/target_info\{[^}]*service_version="4.2.0"/);

    await telemetry.shutdown();
    await telemetry.shutdown(); // idempotent
    expect(metrics.getMeterProvider()).not.toBe(telemetry.meterProvider);
    await expect(fetch(`${telemetry.url}/healthz`)).rejects.toThrow();
    telemetry = undefined;
  });

  it('lists every config problem at once and leaves nothing listening', async () => {
    const promise = startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      cardinality: { defaultLimit: 5 },
      histogramBuckets: [1, 0.5],
      server: { port: 0, auth: { username: 'ab', password: 'short' } },
    });
    const error = await promise.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID' });
    const message = (error as Error).message;
    expect(message).toMatch(/cardinality\.defaultLimit: /);
    expect(message).toMatch(/histogramBuckets\[1\]: /);
    expect(message).toMatch(/server\.auth\.username: /);
    expect(message).toMatch(/server\.auth\.password: /);
    expect(message).not.toContain('short');
  });

  it('starts nothing when disabled by OTEL_SDK_DISABLED', async () => {
    telemetry = await startTelemetry({
      env: { OTEL_SDK_DISABLED: 'true' },
      configFile: false,
      logger: silentLogger,
    });
    expect(telemetry.url).toBeUndefined();
    expect(telemetry.store).toBeUndefined();
    // recording still works and never throws
    telemetry.meter('x').createCounter('y').add(1);
  });

  it('answers PromQL over the embedded store through /api/v1/query', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
    });
    const counter = telemetry.meter('api').createCounter('jobs.done');
    counter.add(3, { queue: 'a' });
    counter.add(4, { queue: 'b' });
    await telemetry.forceFlush();
    const response = await fetch(
      `${telemetry.url}/api/v1/query?query=${encodeURIComponent('sum(jobs_done_total)')}`,
    );
    const json = (await response.json()) as {
      status: string;
      data: { resultType: string; result: Array<{ value: [number, string] }> };
    };
    expect(json.status).toBe('success');
    expect(json.data.resultType).toBe('vector');
    expect(json.data.result[0]?.value[1]).toBe('7');
    const bad = await fetch(`${telemetry.url}/api/v1/query?query=${encodeURIComponent('sum(')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it('applies the configured redaction and path templating to recorded attributes', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      redaction: { onMatch: 'drop' },
      pathTemplating: { placeholder: '{id}' },
    });
    const counter = telemetry.meter('http').createCounter('requests');
    counter.add(1, { 'url.path': '/users/123/orders/9f1c2a7e44b0', note: 'password=hunter2', tier: 'gold' });
    const body = await (await fetch(`${telemetry.url}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith('requests_total{'));
    expect(line).toContain('url_path="/users/{id}/orders/{id}"');
    expect(line).toContain('tier="gold"');
    expect(line).not.toContain('note=');
    expect(body).not.toContain('hunter2');
  });
});

describe('startTelemetry on hostile configuration', () => {
  it('refuses a port in use with one line naming host:port and how to change it', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      server: { port: 0 },
    });
    const port = new URL(telemetry.url!).port;
    const error = await startTelemetry({
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: port },
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'YardstickError',
      code: 'SERVER_START',
      message: `telemetry server cannot listen on 127.0.0.1:${port}: the address is already in use; set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or 0 for any`,
    });
  });

  it('refuses a certificate file that is not PEM, naming the file and server.tls.certFile', async () => {
    const cwd = projectDir({});
    const cert = writeSelfSignedCert(cwd, 'server');
    writeFileSync(cert.certFile, '');
    const error = await startTelemetry({
      env: { YARDSTICK_TLS_CERT_FILE: cert.certFile, YARDSTICK_TLS_KEY_FILE: cert.keyFile },
      cwd,
      configFile: false,
      logger: silentLogger,
      server: { port: 0 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID' });
    expect((error as Error).message.split('\n').slice(1)).toEqual([
      `server.tls.certFile: ${cert.certFile} is not a PEM certificate (PEM routines::no start line) (from environment variable YARDSTICK_TLS_CERT_FILE)`,
    ]);
  });

  it('refuses an export interval setTimeout cannot hold instead of exporting every millisecond', async () => {
    const error = await startTelemetry({
      env: {},
      otlp: { endpoint: 'http://127.0.0.1:9', exportIntervalMs: 1_000_000_000_000_000 },
      configFile: false,
      logger: silentLogger,
      server: { port: 0 },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        'otlp.exportIntervalMs: must be between 10ms and 1d, got 1000000000000000 ms',
      ),
    });
  });

  it('logs an OTEL_* variable it cannot use and starts with the default, as the OTel spec says', async () => {
    const lines: string[] = [];
    telemetry = await startTelemetry({
      env: {
        OTEL_METRIC_EXPORT_INTERVAL: '1000000000000000',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      },
      configFile: false,
      logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }),
      server: { port: 0 },
      registerGlobal: false,
    });
    const warnings = lines.map((line) => JSON.parse(line) as { component?: string; msg: string });
    expect(warnings).toContainEqual(
      expect.objectContaining({
        component: 'config',
        msg: 'OTEL_METRIC_EXPORT_INTERVAL: otlp.exportIntervalMs: must be between 10ms and 1d, got 1000000000000000 ms; ignored, the default applies',
      }),
    );
  });

  it('passes OpenTelemetry diagnostics at OTEL_LOG_LEVEL to the logger, and warns about an unknown level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const start = (level: string) =>
      startTelemetry({
        env: { OTEL_LOG_LEVEL: level },
        configFile: false,
        logger,
        server: { enabled: false },
        registerGlobal: false,
      });
    const messages = () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    telemetry = await start('debug');
    diag.debug('a debug diagnostic');
    expect(messages()).toContain('a debug diagnostic');
    await telemetry.shutdown();
    lines.length = 0;
    telemetry = await start('loud');
    diag.info('an info diagnostic');
    diag.warn('a warning diagnostic');
    expect(messages()).toEqual([
      'OTEL_LOG_LEVEL: unknown level "loud" (expected one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL); ignored, the default applies',
      'a warning diagnostic',
    ]);
  });

  it('refuses a config file holding an alias bomb with its file and line', async () => {
    const bomb = ['resourceAttributes:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      bomb.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const cwd = projectDir({ 'yardstick.config.yaml': `${bomb.join('\n')}\n` });
    const error = await startTelemetry({ env: {}, cwd, logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CONFIG_FILE',
      message: expect.stringMatching(/\nyardstick\.config\.yaml:5:\d+: alias \*l2 expands too much/),
    });
  });
});

describe('startTelemetry exemplars', () => {
  it('passes metrics.exemplarFilter to the core: always_on samples outside spans, always_off never', async () => {
    const exemplarsOf = async (exemplarFilter: 'always_on' | 'always_off') => {
      const started = await startTelemetry({
        env: {},
        configFile: false,
        registerGlobal: false,
        server: { enabled: false },
        store: { enabled: false },
        metrics: { exemplarFilter },
        logger: silentLogger,
      });
      const reader = started.coreMeterProvider.addReader();
      started.meter('shop').createCounter('orders').add(1);
      const { scopeMetrics } = await reader.collect();
      await started.shutdown();
      const point = scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'orders')
        ?.dataPoints[0];
      return point?.exemplars;
    };
    expect(await exemplarsOf('always_on')).toEqual([
      { value: 1, timeUnixMs: expect.any(Number), filteredAttributes: {} },
    ]);
    expect(await exemplarsOf('always_off')).toBeUndefined();
  });
});
