/**
 * The OTel environment variables end to end: OTLP/gRPC to a local gRPC receiver (headers as metadata,
 * LowMemory temporality), `OTEL_METRICS_EXPORTER=none` silencing an endpoint, and the console exporter.
 */
import { spawn } from 'node:child_process';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, type ReceivedExport, startOtlpGrpcReceiver } from './support/otlp-receiver.ts';

let telemetry: Telemetry | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
  telemetry = undefined;
  receiver = undefined;
});

function pointValue(exp: ReceivedExport, name: string): number | undefined {
  return exp.metrics.find((m) => m.name === name)?.points[0]?.value;
}

describe('OTLP over gRPC from the OTel environment variables', () => {
  it('pushes every data point with the headers as metadata, and LowMemory makes counters delta only', async () => {
    receiver = await startOtlpGrpcReceiver();
    telemetry = await startTelemetry({
      server: { enabled: false },
      store: { enabled: false },
      registerGlobal: false,
      logger: silentLogger,
      env: {
        OTEL_SERVICE_NAME: 'grpc-test',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=shop',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory',
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
      },
    });
    const meter = telemetry.meter('grpc-scope');
    const jobs = meter.createCounter('jobs.completed');
    const busy = meter.createUpDownCounter('workers.busy');
    const latency = meter.createHistogram('job.duration', { unit: 's' });
    jobs.add(5, { queue: 'emails' });
    busy.add(3);
    latency.record(0.5);
    await telemetry.forceFlush();
    jobs.add(2, { queue: 'emails' });
    busy.add(-1);
    latency.record(1.5);
    await telemetry.forceFlush();

    expect(receiver.exports).toHaveLength(2);
    const [first, second] = receiver.exports as [ReceivedExport, ReceivedExport];
    expect(first.metadata?.['x-tenant']).toBe('shop');
    expect(first.resource['service.name']).toBe('grpc-test');
    expect(first.scopes).toContain('grpc-scope');
    expect(first.metrics.find((m) => m.name === 'jobs.completed')?.points[0]).toMatchObject({
      attributes: { queue: 'emails' },
      value: 5,
    });
    // LowMemory: a synchronous counter and a histogram are delta, an up-down counter stays cumulative
    expect(pointValue(second, 'jobs.completed')).toBe(2);
    expect(second.metrics.find((m) => m.name === 'job.duration')?.points[0]).toMatchObject({
      count: 1,
      sum: 1.5,
    });
    expect(pointValue(second, 'workers.busy')).toBe(2);
  });

  it('pushes nothing with OTEL_METRICS_EXPORTER=none, even with an endpoint', async () => {
    receiver = await startOtlpGrpcReceiver();
    telemetry = await startTelemetry({
      server: { enabled: false },
      store: { enabled: false },
      registerGlobal: false,
      logger: silentLogger,
      env: {
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      },
    });
    telemetry.meter('grpc-scope').createCounter('jobs.completed').add(1);
    await telemetry.forceFlush();
    expect(receiver.exports).toEqual([]);
  });
});

describe('OTEL_METRICS_EXPORTER=console', () => {
  it('prints the metrics to stdout at shutdown, and warns about an unknown exporter by name', async () => {
    const script = [
      "import { startTelemetry } from '@yardstick/sdk';",
      'const telemetry = await startTelemetry({ server: { enabled: false }, store: { enabled: false }, registerGlobal: false });',
      "telemetry.meter('console-scope').createCounter('orders.placed').add(7, { region: 'eu' });",
      'await telemetry.shutdown();',
    ].join('\n');
    const child = spawn(
      process.execPath,
      ['--conditions=yardstick-source', '--input-type=module', '-e', script],
      {
        cwd: import.meta.dirname,
        env: {
          ...process.env,
          OTEL_METRICS_EXPORTER: 'console,bogus',
          OTEL_METRIC_EXPORT_INTERVAL: '600000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    // sdk-metrics' ConsoleMetricExporter prints each metric's descriptor and its data points
    expect(out).toMatch(/name: 'orders\.placed'/);
    expect(out).toMatch(/region: 'eu'/);
    expect(out).toMatch(/value: 7/);
    expect(out).toContain('OTEL_METRICS_EXPORTER: unknown exporter \\"bogus\\" ignored');
  }, 60_000);
});
