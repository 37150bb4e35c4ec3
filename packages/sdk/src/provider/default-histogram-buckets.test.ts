import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider, type HistogramValue } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { withDefaultHistogramBuckets } from './default-histogram-buckets.ts';

describe('withDefaultHistogramBuckets', () => {
  it('gives histograms without advice the configured buckets and leaves advised ones alone', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const sdk = new MeterProvider({ readers: [reader] });
    const meter = withDefaultHistogramBuckets(sdk, [1, 10, 100]).getMeter('m');
    meter.createHistogram('plain').record(5);
    meter.createHistogram('advised', { advice: { explicitBucketBoundaries: [0.5] } }).record(5);
    meter.createCounter('counter').add(1);
    await reader.forceFlush();
    const metrics = exporter.getMetrics()[0]!.scopeMetrics[0]!.metrics;
    const boundaries = (name: string) => {
      const point = metrics.find((m) => m.descriptor.name === name)!.dataPoints[0]!;
      return (point.value as { buckets: { boundaries: number[] } }).buckets.boundaries;
    };
    expect(boundaries('plain')).toEqual([1, 10, 100]);
    expect(boundaries('advised')).toEqual([0.5]);
    expect(metrics.find((m) => m.descriptor.name === 'counter')?.dataPoints[0]?.value).toBe(1);
    await sdk.shutdown();
  });

  it("works on the metrics core's meters, whose private fields refuse a proxy as `this`", async () => {
    const core = new CoreMeterProvider();
    const reader = core.addReader();
    const meter = withDefaultHistogramBuckets(core, [1, 10]).getMeter('m');
    meter.createCounter('counter').add(1);
    meter.createObservableGauge('gauge').addCallback((result) => result.observe(4));
    meter.createHistogram('plain').record(5);
    const { scopeMetrics } = await reader.collect();
    const metric = (name: string) => scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === name);
    expect(metric('counter')?.dataPoints[0]?.value).toBe(1);
    expect(metric('gauge')?.dataPoints[0]?.value).toBe(4);
    expect((metric('plain')?.dataPoints[0]?.value as HistogramValue | undefined)?.buckets.boundaries).toEqual(
      [1, 10],
    );
  });
});
