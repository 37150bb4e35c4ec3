/**
 * A cardinality attack through a real MeterProvider with the default yardstick views: a million distinct
 * attribute sets on one counter. Memory stays bounded and the overflow series holds the exact remainder.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { createYardstickViews } from '@yardstick/views';
import { describe, expect, it } from 'vitest';

class CumulativeReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

// vitest's workers run without --expose-gc; this enables it for a measurement that means something.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const SETS = 1_000_000;
const LIMIT = 2000;

describe('views cardinality attack', () => {
  it('keeps a million distinct attribute sets to the limit plus one exact overflow series in bounded memory', async () => {
    const yardstick = createYardstickViews({});
    const reader = new CumulativeReader();
    const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
    const counter = yardstick
      .bindMeterProvider(provider)
      .getMeter('attack')
      .createCounter('http.server.requests');
    // Warm up the first LIMIT sets, then measure growth caused by the rest of the attack.
    for (let i = 0; i < LIMIT; i++) counter.add(1, { 'http.route': '/login', 'user.session': `s${i}` });
    const before = heapAfterGc();
    const start = performance.now();
    for (let i = LIMIT; i < SETS; i++) counter.add(1, { 'http.route': '/login', 'user.session': `s${i}` });
    const seconds = (performance.now() - start) / 1000;
    const growth = heapAfterGc() - before;

    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .flatMap((m) => m.dataPoints as DataPoint<number>[]);
    const overflow = points.filter((p) => p.attributes['otel.metric.overflow'] === true);
    const kept = points.filter((p) => p.attributes['otel.metric.overflow'] === undefined);
    console.info(
      `views attack: ${SETS} sets in ${seconds.toFixed(1)} s, heap growth ${(growth / 1024 / 1024).toFixed(1)} MiB`,
    );

    expect(kept).toHaveLength(LIMIT);
    expect(new Set(kept.map((p) => p.attributes['user.session']))).toEqual(
      new Set(Array.from({ length: LIMIT }, (_, i) => `s${i}`)),
    );
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.value).toBe(SETS - LIMIT);
    expect(yardstick.stats()).toEqual([
      expect.objectContaining({
        metric: 'http.server.requests',
        series: LIMIT,
        overflowMeasurements: SETS - LIMIT,
      }),
    ]);
    // Generous: a million retained sets would take hundreds of MiB.
    expect(growth).toBeLessThan(32 * 1024 * 1024);
    await provider.shutdown();
  }, 60_000);

  it('stays bounded when every attacking set also carries an array value', async () => {
    const yardstick = createYardstickViews({});
    const reader = new CumulativeReader();
    const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
    const counter = yardstick.bindMeterProvider(provider).getMeter('attack').createCounter('jobs.done');
    for (let i = 0; i < LIMIT; i++) counter.add(1, { job: `j${i}`, tags: ['a', 'b'] });
    const before = heapAfterGc();
    const sets = 200_000;
    for (let i = LIMIT; i < sets; i++) counter.add(1, { job: `j${i}`, tags: ['a', 'b'] });
    const growth = heapAfterGc() - before;
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .flatMap((m) => m.dataPoints as DataPoint<number>[]);
    expect(points).toHaveLength(LIMIT + 1);
    expect(points.find((p) => p.attributes['otel.metric.overflow'] === true)?.value).toBe(sets - LIMIT);
    expect(growth).toBeLessThan(16 * 1024 * 1024);
    await provider.shutdown();
  }, 60_000);
});
