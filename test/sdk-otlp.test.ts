import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, type ReceivedExport, startOtlpReceiver } from './support/otlp-receiver.ts';
import { freePort } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

let telemetry: Telemetry | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
  telemetry = undefined;
  receiver = undefined;
});

function sumOf(exp: ReceivedExport, name: string): number | undefined {
  const metric = exp.metrics.find((m) => m.name === name);
  return metric?.points.reduce((total, p) => total + (p.value ?? 0), 0);
}

describe.each(['http/json', 'http/protobuf'] as const)('OTLP push over %s', (protocol) => {
  it('delivers the resource, the scope and every data point', async () => {
    receiver = await startOtlpReceiver();
    telemetry = await startTelemetry({
      serviceName: 'otlp-test',
      resourceAttributes: { 'deployment.environment.name': 'test' },
      server: { enabled: false },
      store: { enabled: false },
      registerGlobal: false,
      otlp: { endpoint: receiver.url, protocol, exportIntervalMs: 60_000 },
      logger: silentLogger,
      env: {},
    });
    const meter = telemetry.meter('otlp-scope', '1.2.3');
    meter.createCounter('jobs.completed', { unit: '{job}' }).add(5, { queue: 'emails' });
    meter.createUpDownCounter('workers.busy').add(-2, { pool: 'a' });
    const latency = meter.createHistogram('job.duration', { unit: 's' });
    latency.record(0.5, { queue: 'emails' });
    latency.record(1.5, { queue: 'emails' });
    await telemetry.forceFlush();

    const exp = await waitFor('an export', () => receiver?.exports[0]);
    expect(exp.contentType).toContain(
      protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    );
    expect(exp.resource['service.name']).toBe('otlp-test');
    expect(exp.resource['deployment.environment.name']).toBe('test');
    expect(exp.resource['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(exp.scopes).toContain('otlp-scope');
    const jobs = exp.metrics.find((m) => m.name === 'jobs.completed');
    expect(jobs).toMatchObject({
      kind: 'sum',
      unit: '{job}',
      points: [{ attributes: { queue: 'emails' }, value: 5 }],
    });
    expect(sumOf(exp, 'workers.busy')).toBe(-2);
    const duration = exp.metrics.find((m) => m.name === 'job.duration');
    expect(duration?.points[0]).toMatchObject({ count: 2, sum: 2 });
  });
});

describe('OTLP histogram aggregation', () => {
  it('sends exponential histograms when OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION asks, while /metrics keeps classic buckets', async () => {
    receiver = await startOtlpReceiver();
    telemetry = await startTelemetry({
      server: { port: 0 },
      store: { enabled: false },
      registerGlobal: false,
      otlp: { endpoint: receiver.url, exportIntervalMs: 60_000 },
      logger: silentLogger,
      env: { OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram' },
    });
    const latency = telemetry.meter('agg').createHistogram('job.duration', { unit: 's' });
    for (const v of [0.01, 0.2, 0.2, 3]) latency.record(v, { queue: 'q' });
    await telemetry.forceFlush();
    const exp = await waitFor('an export', () => receiver?.exports[0]);
    expect(exp.metrics.find((m) => m.name === 'job.duration')).toMatchObject({
      kind: 'exponentialHistogram',
      points: [{ attributes: { queue: 'q' }, count: 4, sum: 3.41 }],
    });
    const body = await (await fetch(`${telemetry.url}/metrics`)).text();
    expect(body).toMatch(/^job_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} 4$/m);
    expect(body).toMatch(/^job_duration_seconds_count\{[^}]*\} 4$/m);
  });
});

describe('OTLP push with the collector down', () => {
  it('keeps the app serving and delivers correct cumulative totals once the collector is back', async () => {
    const port = await freePort();
    telemetry = await startTelemetry({
      serviceName: 'otlp-down',
      server: { port: 0 },
      store: { enabled: false },
      registerGlobal: false,
      otlp: {
        endpoint: `http://127.0.0.1:${port}/v1/metrics`,
        protocol: 'http/json',
        exportIntervalMs: 100,
        exportTimeoutMs: 100,
      },
      logger: silentLogger,
      env: {},
    });
    const counter = telemetry.meter('svc').createCounter('requests');
    let expected = 0;
    for (let i = 0; i < 8; i++) {
      counter.add(i + 1);
      expected += i + 1;
      await new Promise((r) => setTimeout(r, 60));
      // the app keeps serving its own endpoint while every export fails
      expect((await fetch(`${telemetry.url}/healthz`)).status).toBe(200);
    }
    receiver = await startOtlpReceiver(port);
    counter.add(100);
    expected += 100;
    const exp = await waitFor('an export after recovery', () =>
      receiver?.exports.find((e) => sumOf(e, 'requests') === expected),
    );
    expect(sumOf(exp, 'requests')).toBe(expected);
  });
});

describe('OTLP push to a collector that never answers', () => {
  it('keeps memory bounded over many failed export intervals', async () => {
    // accepts connections and reads requests but never responds: every export runs into its timeout
    const sockets = new Set<import('node:net').Socket>();
    const blackhole = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as AddressInfo;
    try {
      telemetry = await startTelemetry({
        serviceName: 'otlp-blackhole',
        server: { enabled: false },
        store: { enabled: false },
        registerGlobal: false,
        otlp: { endpoint: `http://127.0.0.1:${port}/v1/metrics`, exportIntervalMs: 50, exportTimeoutMs: 50 },
        logger: silentLogger,
        env: {},
      });
      const counter = telemetry.meter('svc').createCounter('requests');
      for (let i = 0; i < 200; i++) counter.add(1, { route: `/r/${i}` });
      const gc = (globalThis as { gc?: () => void }).gc!;
      await new Promise((r) => setTimeout(r, 500)); // warm up: first failures, buffers, sockets
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let round = 0; round < 40; round++) {
        counter.add(1, { route: '/r/0' });
        await new Promise((r) => setTimeout(r, 50));
      }
      gc();
      const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
      console.log(
        `collector never answering: ~40 failed exports, retained heap growth ${growthMb.toFixed(2)} MiB`,
      );
      expect(growthMb).toBeLessThan(8);
    } finally {
      await telemetry?.shutdown();
      telemetry = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  }, 30_000);
});
