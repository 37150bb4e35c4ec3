/**
 * The series limit of the aggregate: processes that each stay under a metric's limit but together exceed it
 * give the primary at most `limit` series plus the overflow series, which holds the exact remainder.
 */
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider, type HistogramValue, type ScopeMetrics } from '@yardstick/metrics-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterAggregator } from './cluster-aggregator.ts';
import { createClusterMetricProducer } from './cluster-metric-producer.ts';

const resource = resourceFromAttributes({ 'service.name': 'checkout' });
const OVERFLOW = '{"otel.metric.overflow":true}';

/** A process's metrics core with a counter and a histogram, reporting to the aggregator as a worker does. */
function processCore(limit: number) {
  const core = new CoreMeterProvider({ cardinalityLimit: limit, warn: () => undefined });
  const reader = core.addReader();
  const meter = core.getMeter('app');
  const requests = meter.createCounter('requests');
  const latency = meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1, 10] } });
  let sequence = 0;
  return {
    core,
    requests,
    latency,
    async reportTo(aggregator: ClusterAggregator, id: string) {
      const scopeMetrics: ScopeMetrics[] = (await reader.collect()).scopeMetrics;
      sequence++;
      aggregator.accept(id, {
        collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
        sequence,
        full: true,
      });
    },
  };
}

/** `metric -> series -> value` (histograms: [count, ...bucket counts]) of one collection. */
async function collect(producer: MetricProducer): Promise<Map<string, Map<string, number[]>>> {
  const { resourceMetrics, errors } = await producer.collect();
  expect(errors).toEqual([]);
  const out = new Map<string, Map<string, number[]>>();
  for (const { metrics } of resourceMetrics.scopeMetrics) {
    for (const metric of metrics) {
      const series = new Map<string, number[]>();
      for (const point of metric.dataPoints) {
        const value = point.value as number | HistogramValue;
        series.set(
          JSON.stringify(point.attributes as Attributes),
          typeof value === 'number' ? [value] : [value.count, ...value.buckets.counts],
        );
      }
      out.set(metric.descriptor.name, series);
    }
  }
  return out;
}

function total(series: Map<string, number[]> | undefined): number[] {
  const sum: number[] = [];
  for (const value of series?.values() ?? []) {
    for (const [i, v] of value.entries()) sum[i] = (sum[i] ?? 0) + v;
  }
  return sum;
}

function aggregatorWithLimit(limit: number, gauges: Record<string, 'max'> = {}) {
  return new ClusterAggregator({ gauges, warn: () => undefined, cardinalityLimit: () => limit });
}

describe('aggregate series limit', () => {
  it('keeps the first series up to the limit and puts the exact remainder into the overflow series', async () => {
    const aggregator = aggregatorWithLimit(100);
    const primary = new CoreMeterProvider();
    const producer = createClusterMetricProducer(primary, resource, aggregator, 'explicit');
    // 4 workers with 60 series each, 240 in all: every worker under the limit of 100, their union over it.
    for (let w = 0; w < 4; w++) {
      const worker = processCore(100);
      for (let s = 0; s < 60; s++) {
        worker.requests.add(s + 1, { user: `w${w}-s${s}` });
        worker.latency.record(s % 3 === 0 ? 0.5 : 5, { user: `w${w}-s${s}` });
      }
      await worker.reportTo(aggregator, String(w));
    }
    const collected = await collect(producer);
    const requests = collected.get('requests')!;
    expect(requests.size).toBe(101);
    // 4 x (1 + ... + 60)
    expect(total(requests)).toEqual([4 * 1830]);
    // The first 100 series seen (worker 0's 60, then 40 of worker 1's) keep their own values.
    expect(requests.get('{"user":"w0-s59"}')).toEqual([60]);
    expect(requests.get('{"user":"w1-s39"}')).toEqual([40]);
    expect(requests.has('{"user":"w1-s40"}')).toBe(false);
    // The overflow: worker 1's last 20 (41..60) and workers 2 and 3 whole.
    expect(requests.get(OVERFLOW)).toEqual([(41 + 60) * 10 + 2 * 1830]);
    const latency = collected.get('latency')!;
    expect(latency.size).toBe(101);
    expect(total(latency)).toEqual([240, 80, 160, 0]);
  });

  it('combines the gauge series left out by the gauge policy', async () => {
    const aggregator = aggregatorWithLimit(100, { depth: 'max' });
    const producer = createClusterMetricProducer(new CoreMeterProvider(), resource, aggregator, 'explicit');
    for (let w = 0; w < 2; w++) {
      const worker = processCore(100);
      const depth = worker.core.getMeter('app').createGauge('depth');
      for (let s = 0; s < 80; s++) depth.record(w * 1000 + s, { queue: `w${w}-q${s}` });
      await worker.reportTo(aggregator, String(w));
    }
    const depth = (await collect(producer)).get('depth')!;
    expect(depth.size).toBe(101);
    expect(depth.get(OVERFLOW)).toEqual([1079]);
  });

  it('never lets a series or the overflow go down, and loses and doubles nothing, for any recording', async () => {
    const limit = 6;
    const measurement = fc.record({
      process: fc.integer({ min: 0, max: 4 }),
      user: fc.integer({ min: 0, max: 15 }),
      value: fc.integer({ min: 0, max: 20 }),
    });
    const rounds = fc.array(fc.array(measurement, { maxLength: 30 }), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(rounds, async (rounds) => {
        const aggregator = aggregatorWithLimit(limit);
        // Process 4 is the primary, which records too; 0..3 are workers. Each keeps its own limit.
        const processes = [0, 1, 2, 3, 4].map(() => processCore(limit));
        const primary = processes[4]!;
        const cumulative = createClusterMetricProducer(primary.core, resource, aggregator, 'explicit');
        const delta = createClusterMetricProducer(primary.core, resource, aggregator, 'explicit', {
          aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
        });
        const deltaSums = new Map<string, number>();
        let previous = new Map<string, number>();
        let recorded = 0;
        for (const round of rounds) {
          for (const { process, user, value } of round) {
            processes[process]!.requests.add(value, { user: `u${user}` });
            recorded += value;
          }
          for (let w = 0; w < 4; w++) await processes[w]!.reportTo(aggregator, String(w));
          const requests = (await collect(cumulative)).get('requests') ?? new Map();
          for (const [series, [value]] of (await collect(delta)).get('requests') ?? new Map()) {
            deltaSums.set(series, (deltaSums.get(series) ?? 0) + value!);
          }
          const admitted = [...requests.keys()].filter((series) => series !== OVERFLOW);
          expect(admitted.length).toBeLessThanOrEqual(limit);
          expect(total(requests)[0] ?? 0).toBe(recorded);
          for (const [series, value] of previous) {
            expect(requests.get(series)?.[0]).toBeGreaterThanOrEqual(value);
          }
          previous = new Map([...requests].map(([series, [value]]) => [series, value!]));
        }
        // A delta reader adds up to the same series, overflow included.
        const nonZero = (values: Map<string, number>) =>
          Object.fromEntries([...values].filter(([, value]) => value !== 0));
        expect(nonZero(deltaSums)).toEqual(nonZero(previous));
      }),
      { numRuns: 60 },
    );
  });
});
