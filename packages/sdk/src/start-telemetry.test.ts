import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logging/logger.ts';
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
