import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider, type HistogramValue } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { ClusterAggregator } from './cluster-aggregator.ts';
import { createClusterMetricProducer } from './cluster-metric-producer.ts';
import { decodeClusterReport, encodeClusterReport } from './cluster-report.ts';

const resource = resourceFromAttributes({ 'service.name': 'checkout' });

/** A process's core and a cumulative reader of it, standing in for a worker. */
function workerCore() {
  const core = new CoreMeterProvider();
  const reader = core.addReader();
  const meter = core.getMeter('app');
  return {
    meter,
    /** Sends this process's totals to `aggregator` as worker `id`, through the wire format. */
    async reportTo(aggregator: ClusterAggregator, id: string) {
      const { scopeMetrics } = await reader.collect();
      const decoded = decodeClusterReport(
        encodeClusterReport({
          collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
          sequence: 1,
          full: true,
        }),
      );
      if (!decoded.ok) throw new Error(decoded.problem);
      aggregator.accept(id, decoded.report);
    },
  };
}

/** `name{attributes}` -> value (histograms: count and bucket counts) of one collection. */
async function collect(producer: MetricProducer): Promise<Record<string, unknown>> {
  const { resourceMetrics, errors } = await producer.collect();
  expect(errors).toEqual([]);
  const out: Record<string, unknown> = {};
  for (const { metrics } of resourceMetrics.scopeMetrics) {
    for (const metric of metrics) {
      for (const point of metric.dataPoints) {
        const value = point.value as number | HistogramValue;
        out[`${metric.descriptor.name}${JSON.stringify(point.attributes)}`] =
          typeof value === 'number' ? value : [value.count, value.buckets.counts];
      }
    }
  }
  return out;
}

describe('createClusterMetricProducer', () => {
  it("is the core's own producer until a worker reports", async () => {
    const core = new CoreMeterProvider();
    const aggregator = new ClusterAggregator({ gauges: {}, warn: () => undefined });
    const producer = createClusterMetricProducer(core, resource, aggregator, 'explicit');
    core.getMeter('app').createCounter('requests').add(2);
    const { resourceMetrics } = await producer.collect();
    expect(resourceMetrics.resource).toBe(resource);
    expect(await collect(producer)).toEqual({ 'requests{}': 2 });
  });

  it("adds the workers' counters, up-down counters and histograms to the primary's own", async () => {
    const core = new CoreMeterProvider();
    const aggregator = new ClusterAggregator({ gauges: {}, warn: () => undefined });
    const producer = createClusterMetricProducer(core, resource, aggregator, 'explicit');
    const own = core.getMeter('app');
    own.createCounter('requests').add(2, { role: 'primary' });
    own.createHistogram('latency', { advice: { explicitBucketBoundaries: [1] } }).record(0.5);
    for (const id of ['1', '2']) {
      const worker = workerCore();
      worker.meter.createCounter('requests').add(5, { role: 'worker' });
      worker.meter.createUpDownCounter('queue').add(-1);
      worker.meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1] } }).record(3);
      await worker.reportTo(aggregator, id);
    }
    expect(await collect(producer)).toEqual({
      'requests{"role":"primary"}': 2,
      'requests{"role":"worker"}': 10,
      'latency{}': [3, [1, 2]],
      'queue{}': -2,
    });
  });

  it('combines each gauge series by its policy: sum, min, max, last, or one series per process', async () => {
    const core = new CoreMeterProvider();
    const aggregator = new ClusterAggregator({
      gauges: { 'low.*': 'min', 'high.*': 'max', 'latest.*': 'last', 'slot.*': 'worker' },
      warn: () => undefined,
    });
    const producer = createClusterMetricProducer(core, resource, aggregator, 'explicit');
    const names = ['total.x', 'low.x', 'high.x', 'latest.x', 'slot.x'];
    const record = (
      meter: ReturnType<CoreMeterProvider['getMeter']>,
      value: number,
      attributes: Attributes = {},
    ) => {
      for (const name of names) meter.createGauge(name).record(value, attributes);
    };
    record(core.getMeter('app'), 1);
    const workers = [workerCore(), workerCore()];
    record(workers[0]!.meter, 5);
    await workers[0]!.reportTo(aggregator, '1');
    record(workers[1]!.meter, 3);
    await workers[1]!.reportTo(aggregator, '2');
    expect(await collect(producer)).toEqual({
      'total.x{}': 9,
      'low.x{}': 1,
      'high.x{}': 5,
      // The primary's reading was first seen at this collection, after both reports: the latest change.
      'latest.x{}': 1,
      'slot.x{"worker":"primary"}': 1,
      'slot.x{"worker":"1"}': 5,
      'slot.x{"worker":"2"}': 3,
    });
    record(workers[0]!.meter, 6);
    await workers[0]!.reportTo(aggregator, '1');
    expect((await collect(producer))['latest.x{}']).toBe(6);
    aggregator.retire('1');
    expect(await collect(producer)).toMatchObject({ 'total.x{}': 4, 'high.x{}': 3, 'latest.x{}': 1 });
  });

  it("gives a delta reader the change since its last collection, the primary's and the workers'", async () => {
    const core = new CoreMeterProvider();
    const aggregator = new ClusterAggregator({ gauges: {}, warn: () => undefined });
    const producer = createClusterMetricProducer(core, resource, aggregator, 'explicit', {
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
    });
    const requests = core.getMeter('app').createCounter('requests');
    requests.add(1);
    expect(await collect(producer)).toEqual({ 'requests{}': 1 });

    const worker = workerCore();
    const counter = worker.meter.createCounter('requests');
    const queue = worker.meter.createUpDownCounter('queue');
    counter.add(5);
    queue.add(4);
    await worker.reportTo(aggregator, '1');
    requests.add(1);
    expect(await collect(producer)).toEqual({ 'requests{}': 6, 'queue{}': 4 });
    counter.add(3);
    await worker.reportTo(aggregator, '1');
    expect(await collect(producer)).toEqual({ 'requests{}': 3 });
    // The worker leaves: its counter stays counted (no change), its up-down counter is given back.
    aggregator.retire('1');
    expect(await collect(producer)).toEqual({ 'queue{}': -4 });
    const replacement = workerCore();
    replacement.meter.createCounter('requests').add(2);
    await replacement.reportTo(aggregator, '2');
    expect(await collect(producer)).toEqual({ 'requests{}': 2 });
  });
});
