/**
 * The "inside an existing OTel pipeline" path from docs/deployment.md with the metrics core: a service that
 * runs NodeSDK feeds yardstick's data to NodeSDK's reader (`metricProducers: [telemetry.metricProducer()]`),
 * and a user's own reader bound with `telemetry.addMetricReader()` gets deltas when its exporter asks.
 * In-memory exporters only: nothing leaves the process but the telemetry server on 127.0.0.1.
 */
import { context, metrics, propagation } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type HistogramMetricData,
  InMemoryMetricExporter,
  type MetricData,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './support/wait-for.ts';

let sdk: NodeSDK | undefined;
let telemetry: Telemetry | undefined;
afterEach(async () => {
  await sdk?.shutdown();
  await telemetry?.shutdown();
  // NodeSDK registers the global meter provider, context manager and propagator
  metrics.disable();
  context.disable();
  propagation.disable();
  sdk = undefined;
  telemetry = undefined;
});

function startYardstick(): Promise<Telemetry> {
  return startTelemetry({
    serviceName: 'checkout',
    env: {},
    configFile: false,
    server: { port: 0 },
    store: { enabled: false },
    registerGlobal: false,
    logger: silentLogger,
  });
}

/** A NodeSDK that installs no instrumentation, detects no resource and has no trace or log pipeline. */
function startNodeSdk(reader: PeriodicExportingMetricReader): NodeSDK {
  const nodeSdk = new NodeSDK({
    serviceName: 'checkout-otel',
    metricReaders: [reader],
    instrumentations: [],
    autoDetectResources: false,
    resourceDetectors: [],
    spanProcessors: [],
    logRecordProcessors: [],
  });
  nodeSdk.start();
  return nodeSdk;
}

function metricNamed(exported: ResourceMetrics | undefined, name: string): MetricData | undefined {
  return exported?.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((metric) => metric.descriptor.name === name);
}

function sumPoints(metric: MetricData | undefined): Array<[Record<string, unknown>, number]> {
  return (metric as SumMetricData | undefined)?.dataPoints.map((p) => [p.attributes, p.value]) ?? [];
}

async function prometheusText(url: string | undefined): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe('yardstick inside a NodeSDK pipeline', () => {
  it("NodeSDK's reader exports yardstick's metrics alongside its own", async () => {
    telemetry = await startYardstick();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 500,
      metricProducers: [telemetry.metricProducer()],
    });
    sdk = startNodeSdk(reader);

    const meter = telemetry.meter('checkout', '1.0.0');
    const orders = meter.createCounter('orders.placed', { unit: '{order}' });
    orders.add(2, { 'payment.method': 'card' });
    orders.add(3, { 'payment.method': 'card' });
    orders.add(1, { 'payment.method': 'invoice', 'client.address': '203.0.113.7' });
    const duration = meter.createHistogram('checkout.duration', { unit: 's' });
    duration.record(0.25);
    duration.record(0.5);
    metrics.getMeter('legacy').createCounter('legacy.requests').add(7, { route: '/cart' });

    // the reader's own schedule already carries yardstick's data
    await waitFor('a periodic export with orders.placed', () =>
      exporter.getMetrics().some((exported) => metricNamed(exported, 'orders.placed')) ? true : undefined,
    );
    orders.add(4, { 'payment.method': 'card' });
    await reader.forceFlush();
    const last = exporter.getMetrics().at(-1);

    // sdk-metrics ignores a producer's resource: everything carries NodeSDK's
    expect(last?.resource.attributes['service.name']).toBe('checkout-otel');
    expect(last?.scopeMetrics.map((scope) => scope.scope.name)).toEqual(
      expect.arrayContaining(['legacy', 'checkout']),
    );
    const placed = metricNamed(last, 'orders.placed');
    expect(placed?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(placed?.descriptor.unit).toBe('{order}');
    // yardstick's attribute policies ran before the data reached NodeSDK: the client IP was dropped
    const points = sumPoints(placed);
    expect(points).toHaveLength(2);
    expect(points).toEqual(
      expect.arrayContaining([
        [{ 'payment.method': 'card' }, 9],
        [{ 'payment.method': 'invoice' }, 1],
      ]),
    );
    const histogram = metricNamed(last, 'checkout.duration') as HistogramMetricData | undefined;
    expect(histogram?.dataPoints[0]?.value).toMatchObject({ count: 2, sum: 0.75 });
    expect(sumPoints(metricNamed(last, 'legacy.requests'))).toEqual([[{ route: '/cart' }, 7]]);

    // yardstick's own endpoint reads the same core
    expect(await prometheusText(telemetry.url)).toMatch(
      /^orders_placed_total\{payment_method="card"[^}]*\} 9$/m,
    );
  });

  it("a producer for a delta exporter follows the exporter's temporality", async () => {
    telemetry = await startYardstick();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 60_000,
      metricProducers: [
        telemetry.metricProducer({
          aggregationTemporalitySelector: (kind) => exporter.selectAggregationTemporality(kind),
        }),
      ],
    });
    sdk = startNodeSdk(reader);

    const orders = telemetry.meter('checkout').createCounter('orders.placed');
    orders.add(5);
    await reader.forceFlush();
    orders.add(2);
    await reader.forceFlush();

    const placed = exporter.getMetrics().map((exported) => metricNamed(exported, 'orders.placed'));
    expect(placed.map((metric) => metric?.aggregationTemporality)).toEqual([
      AggregationTemporality.DELTA,
      AggregationTemporality.DELTA,
    ]);
    expect(placed.map((metric) => sumPoints(metric)[0]?.[1])).toEqual([5, 2]);
  });
});

describe('a reader of your own on telemetry.addMetricReader', () => {
  it('exports deltas when its exporter selects delta, while /metrics stays cumulative', async () => {
    telemetry = await startYardstick();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
    // a long interval: the two exports below are the forced ones
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    telemetry.addMetricReader(reader);

    const orders = telemetry.meter('checkout').createCounter('orders.placed');
    orders.add(2, { 'payment.method': 'card' });
    orders.add(3, { 'payment.method': 'card' });
    await reader.forceFlush();
    orders.add(4, { 'payment.method': 'card' });
    await reader.forceFlush();

    const exports = exporter.getMetrics();
    expect(exports).toHaveLength(2);
    expect(exports[0]?.resource.attributes['service.name']).toBe('checkout');
    const placed = exports.map((exported) => metricNamed(exported, 'orders.placed'));
    expect(placed.map((metric) => metric?.aggregationTemporality)).toEqual([
      AggregationTemporality.DELTA,
      AggregationTemporality.DELTA,
    ]);
    expect(placed.map((metric) => sumPoints(metric))).toEqual([
      [[{ 'payment.method': 'card' }, 5]],
      [[{ 'payment.method': 'card' }, 4]],
    ]);
    expect(await prometheusText(telemetry.url)).toMatch(
      /^orders_placed_total\{payment_method="card"[^}]*\} 9$/m,
    );
  });
});
