import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Meter } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { type LabelMatcher, SampleStore } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { renderExposition } from '../exposition/exposition-serializer.ts';
import { PrometheusReader } from '../exposition/prometheus-reader.ts';
import { type Logger, silentLogger } from '../logging/logger.ts';
import { StoreReader } from './store-reader.ts';
import { VanishedSeriesTracker } from './vanished-series-tracker.ts';

const byName = (name: string): LabelMatcher[] => [{ type: '=', name: '__name__', value: name }];
/** The resource of a service `shop/checkout`, instance `pod-1`: a scrape of it gives these job/instance. */
const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.instance.id': 'pod-1',
});

function setup() {
  let now = 1_700_000_000_000;
  const store = new SampleStore();
  const reader = new StoreReader({ store, intervalMs: 60_000, logger: silentLogger, now: () => now });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('store-test', '2.0.0');
  const advance = (ms: number) => {
    now += ms;
  };
  return { store, reader, provider, meter, advance, now: () => now };
}

describe('StoreReader', () => {
  it('stores counters, gauges and histograms under their Prometheus names and labels', async () => {
    const { store, reader, provider, meter, now } = setup();
    meter.createCounter('http.requests', { unit: '{request}' }).add(3, { 'http.route': '/users/:id' });
    meter.createUpDownCounter('queue.depth').add(7);
    const duration = meter.createHistogram('job.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [1, 5] },
    });
    duration.record(0.5);
    duration.record(3);
    await reader.scrape();

    const [requests] = [...store.select(byName('http_requests_total'), 0, now())];
    expect(requests?.labels).toEqual({
      __name__: 'http_requests_total',
      http_route: '/users/:id',
      otel_scope_name: 'store-test',
      otel_scope_version: '2.0.0',
      job: 'shop/checkout',
      instance: 'pod-1',
    });
    expect([...requests!.values]).toEqual([3]);
    expect([...[...store.select(byName('queue_depth'), 0, now())][0]!.values]).toEqual([7]);
    const buckets = [...store.select(byName('job_duration_seconds_bucket'), 0, now())]
      .map((s) => [s.labels.le, s.values[0]])
      .sort();
    expect(buckets).toEqual([
      ['+Inf', 2],
      ['1', 1],
      ['5', 2],
    ]);
    expect([...store.select(byName('job_duration_seconds_sum'), 0, now())][0]!.values[0]).toBe(3.5);
    expect([...store.select(byName('job_duration_seconds_count'), 0, now())][0]!.values[0]).toBe(2);
    expect([...store.select(byName('target_info'), 0, now())]).toHaveLength(1);
    await provider.shutdown();
  });

  it('appends one sample per collection', async () => {
    const { store, reader, provider, meter, advance, now } = setup();
    meter.createObservableGauge('pool.size').addCallback((result) => result.observe(10, { pool: 'eu' }));
    await reader.scrape();
    advance(15_000);
    await reader.scrape();
    const [series] = [...store.select(byName('pool_size'), 0, now())];
    expect([...series!.timestamps]).toEqual([now() - 15_000, now()]);
    expect([...series!.values]).toEqual([10, 10]);
    await provider.shutdown();
  });

  it("records up for each collection and keeps a series' own job as exported_job, as a scrape does", async () => {
    const { store, reader, provider, meter, advance, now } = setup();
    meter.createCounter('tasks').add(1, { job: 'nightly-import' });
    await reader.scrape();
    advance(15_000);
    await reader.scrape();
    const [up] = [...store.select(byName('up'), 0, now())];
    expect(up?.labels).toEqual({ __name__: 'up', job: 'shop/checkout', instance: 'pod-1' });
    expect([...up!.values]).toEqual([1, 1]);
    const [tasks] = [...store.select(byName('tasks_total'), 0, now())];
    expect(tasks?.labels).toMatchObject({ job: 'shop/checkout', exported_job: 'nightly-import' });
    await provider.shutdown();
  });

  it('labels series with the given instance instead of service.instance.id, so restarts keep their series', async () => {
    const store = new SampleStore();
    const reader = new StoreReader({
      store,
      intervalMs: 60_000,
      logger: silentLogger,
      instance: () => '127.0.0.1:9464',
    });
    const provider = new MeterProvider({ resource, readers: [reader] });
    provider.getMeter('m').createCounter('tasks').add(1);
    await reader.scrape();
    const [tasks] = [...store.select(byName('tasks_total'), 0, Date.now())];
    expect(tasks?.labels).toMatchObject({ job: 'shop/checkout', instance: '127.0.0.1:9464' });
    await provider.shutdown();
  });

  it('keeps the type, help and unit of every family of the last collection', async () => {
    const { reader, provider, meter } = setup();
    meter.createCounter('http.requests', { description: 'Requests served.', unit: '{request}' }).add(1);
    meter.createHistogram('job.duration', { unit: 's' }).record(1);
    await reader.scrape();
    // Keyed by family, as Prometheus keys an OpenMetrics scrape: a counter without `_total`.
    expect(reader.metadata().get('http_requests')).toEqual({
      type: 'counter',
      help: 'Requests served.',
      unit: '',
    });
    expect(reader.metadata().get('job_duration_seconds')).toEqual({
      type: 'histogram',
      help: '',
      unit: 'seconds',
    });
    expect(reader.metadata().get('target')?.type).toBe('info');
    await provider.shutdown();
  });
});

describe('VanishedSeriesTracker', () => {
  it('reports series the previous collection had and the current one lacks', async () => {
    const tracker = new VanishedSeriesTracker();
    const slice = new LoopSlice(10);
    tracker.see({ __name__: 'up', pool: 'eu' });
    tracker.see({ __name__: 'up', pool: 'us' });
    expect(await tracker.finish(slice)).toEqual([]);
    tracker.see({ pool: 'eu', __name__: 'up' });
    expect(await tracker.finish(slice)).toEqual([{ __name__: 'up', pool: 'us' }]);
    expect(await tracker.finish(slice)).toEqual([{ __name__: 'up', pool: 'eu' }]);
    tracker.see({ __name__: 'up', pool: 'us' });
    expect(await tracker.finish(slice)).toEqual([]);
  });
});

describe('StoreReader timestamps', () => {
  it('snap timer jitter to the interval grid but keep the real time of off-schedule collections', async () => {
    const { store, reader, provider, meter, advance, now } = setup();
    const origin = now(); // the reader was initialised at this time (setup)
    meter.createObservableGauge('load').addCallback((result) => result.observe(1));
    advance(60_000 + 7); // the first timer tick, 7 ms late
    await reader.scrape();
    advance(30_000); // a forced collection between ticks
    await reader.scrape();
    advance(30_000 - 4); // the next tick, 3 ms late
    await reader.scrape();
    const [series] = [...store.select(byName('load'), 0, now())];
    expect([...series!.timestamps]).toEqual([origin + 60_000, origin + 90_007, origin + 120_000]);
    await provider.shutdown();
  });
});

describe('StoreReader and /metrics', () => {
  it('hold exactly the series a Prometheus scrape of /metrics would, including the spec corner cases', async () => {
    const store = new SampleStore();
    const reader = new StoreReader({
      store,
      intervalMs: 60_000,
      logger: silentLogger,
      now: () => 1_700_000_000_000,
    });
    const prometheus = new PrometheusReader();
    const provider = new MeterProvider({ resource, readers: [reader, prometheus] });
    const meter = provider.getMeter('corner', '1.0.0', {
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    });
    // an attribute colliding with a scope label is joined with it; colliding keys are joined too
    meter.createCounter('jobs').add(2, { 'otel.scope.name': 'mine', 'a.b': 'x', a_b: 'y' });
    meter
      .createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } })
      .record(42);
    meter.createUpDownCounter('queue.depth', { unit: '{item}' }).add(-3);
    meter
      .createObservableGauge('cpu.utilization', { unit: '1' })
      .addCallback((r) => r.observe(0.5, { cpu: 0 }));
    await reader.scrape();

    const exposed = new Map<string, number>();
    for (const line of renderExposition((await prometheus.collect()).resourceMetrics, 'text').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const cut = line.lastIndexOf(' ');
      // What a Prometheus scrape of /metrics stores: the target's job and instance on every series.
      const target = 'instance="pod-1",job="shop/checkout"';
      const series = line.slice(0, cut);
      const scraped = series.endsWith('}') ? `${series.slice(0, -1)},${target}}` : `${series}{${target}}`;
      exposed.set(scraped, Number(line.slice(cut + 1)));
    }
    // ... and the scrape's own `up`.
    exposed.set('up{instance="pod-1",job="shop/checkout"}', 1);
    const stored = new Map<string, number>();
    for (const series of store.select(
      [{ type: '=~', name: '__name__', value: '.+' }],
      0,
      Number.MAX_SAFE_INTEGER,
    )) {
      const { __name__: name, ...rest } = series.labels;
      const labels = Object.keys(rest)
        .sort()
        .map(
          (k) => `${k}="${rest[k]!.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`,
        )
        .join(',');
      stored.set(labels === '' ? name! : `${name}{${labels}}`, series.values[0]!);
    }
    const normalize = (m: Map<string, number>) =>
      new Map(
        [...m].map(([series, value]) => {
          const open = series.indexOf('{');
          if (open < 0) return [series, value] as const;
          const labels = series
            .slice(open + 1, -1)
            .split(/,(?=[a-zA-Z_]+=")/)
            .sort()
            .join(',');
          return [`${series.slice(0, open)}{${labels}}`, value] as const;
        }),
      );
    expect(normalize(stored)).toEqual(normalize(exposed));
    expect([...stored.keys()].some((k) => k.includes('otel_scope_name="mine;corner"'))).toBe(true);
    expect([...stored.keys()].some((k) => k.includes('a_b="x;y"'))).toBe(true);
    expect([...stored.keys()].some((k) => k.includes('otel_scope_schema_url='))).toBe(true);
    await provider.shutdown();
  });
});

/** `series` counter series over instruments of 2,000 series each, every one at 1. */
function manyCounters(meter: Meter, series: number): void {
  for (let m = 0; m < series / 2_000; m++) {
    const counter = meter.createCounter(`jobs.${m}`);
    for (let i = 0; i < 2_000; i++) counter.add(1, { job: String(i) });
  }
}

/** The gaps between turns of a setImmediate ticker while `run` runs: each is one stretch the loop was held. */
async function loopGaps(run: () => Promise<void>): Promise<{ gaps: number[]; tookMs: number }> {
  const gaps: number[] = [];
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  await run();
  const tookMs = performance.now() - start;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return { gaps, tookMs };
}

describe('StoreReader at 100k series', () => {
  // Regression: the first collection appended everything in one synchronous pass and held the loop for
  // 2.0–2.3 s at 10k series. Only relations are asserted: a busy machine stretches every figure.
  it('appends every collection in slices, with event-loop turns in between', {
    timeout: 180_000,
  }, async () => {
    const store = new SampleStore();
    const reader = new StoreReader({ store, intervalMs: 3_600_000, logger: silentLogger });
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }],
    });
    manyCounters(provider.getMeter('load'), 100_000);
    // The first collection creates every series in the store, the second appends to them.
    for (const collection of [1, 2]) {
      let timerFired = false;
      const { gaps, tookMs } = await loopGaps(async () => {
        setTimeout(() => {
          timerFired = true;
        }, 0);
        await reader.scrape();
      });
      expect(timerFired, `collection ${collection}: a timer set at its start fired before it ended`).toBe(
        true,
      );
      expect(gaps.length, `collection ${collection} spanned many event-loop turns`).toBeGreaterThan(20);
      expect(Math.max(...gaps), `collection ${collection}: longest block vs ${tookMs} ms`).toBeLessThan(
        tookMs / 5,
      );
    }
    const all = [...store.select([{ type: '=~', name: '__name__', value: 'jobs_.+' }], 0, Date.now())];
    expect(all).toHaveLength(100_000);
    const times = new Set(all.flatMap((series) => [...series.timestamps]));
    expect(times.size, 'one timestamp per collection').toBe(2);
    expect(all.every((series) => series.values.length === 2 && series.values.every((v) => v === 1))).toBe(
      true,
    );
    await provider.shutdown();
  });

  it('never starts a collection while the previous one runs; the timer skips those ticks', {
    timeout: 120_000,
  }, async () => {
    const store = new SampleStore();
    const skipped: string[] = [];
    const logger: Logger = { ...silentLogger, debug: (_obj, msg) => msg && skipped.push(msg) };
    // A 10 ms interval and 20k series: collections take far longer than the interval.
    const reader = new StoreReader({ store, intervalMs: 10, logger });
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }],
    });
    const meter = provider.getMeter('load');
    manyCounters(meter, 20_000);
    let callbacks = 0;
    meter.createObservableGauge('collections').addCallback((result) => result.observe(++callbacks));
    while (callbacks < 4) await sleep(10);
    await provider.shutdown();
    expect(skipped.some((msg) => msg.includes('still running'))).toBe(true);
    // Every collection that started appended each series once: no duplicates, nothing refused.
    expect(store.stats().rejectedSamples).toBe(0);
    const [gauge] = [...store.select(byName('collections'), 0, Number.MAX_SAFE_INTEGER)];
    expect([...gauge!.values]).toEqual(Array.from({ length: callbacks }, (_, i) => i + 1));
    const [counter] = [...store.select(byName('jobs_0_total'), 0, Number.MAX_SAFE_INTEGER)];
    expect([...counter!.timestamps]).toEqual([...gauge!.timestamps]);
  });
});

describe('StoreReader with exponential histograms', () => {
  function exponentialSetup(maxSize: number) {
    const store = new SampleStore();
    const reader = new StoreReader({ store, intervalMs: 60_000, logger: silentLogger });
    const provider = new MeterProvider({
      resource,
      readers: [reader],
      views: [
        {
          instrumentName: 'latency',
          aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } },
        },
      ],
    });
    return {
      store,
      reader,
      provider,
      latency: provider.getMeter('m').createHistogram('latency', { unit: 's' }),
    };
  }

  it('stores a native histogram sample with its count, sum and buckets, and no _bucket series', async () => {
    const { store, reader, provider, latency } = exponentialSetup(160);
    for (const value of [0, 0.2, 0.2, 1.5, 30]) latency.record(value);
    await reader.scrape();
    const [series] = [...store.select(byName('latency_seconds'), 0, Date.now())];
    const histogram = series?.histograms?.[0];
    expect(histogram).toMatchObject({ count: 5, sum: 31.9, zeroCount: 1 });
    expect(histogram!.positiveBuckets.reduce((a, b) => a + b, 0)).toBe(4);
    expect(histogram!.schema).toBeLessThanOrEqual(8);
    expect([
      ...store.select([{ type: '=~', name: '__name__', value: 'latency_seconds_.+' }], 0, Date.now()),
    ]).toEqual([]);
    await provider.shutdown();
  });

  it('stores classic buckets when the scale is below what a native histogram can hold (-4)', async () => {
    const { store, reader, provider, latency } = exponentialSetup(2);
    // Two buckets for 600 powers of two: the scale falls far below -4.
    for (const value of [1e-90, 1e90, 1e90]) latency.record(value);
    await reader.scrape();
    expect([...store.select(byName('latency_seconds'), 0, Date.now())]).toEqual([]);
    const buckets = [...store.select(byName('latency_seconds_bucket'), 0, Date.now())].map((s) => [
      s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le),
      s.values[0],
    ]);
    buckets.sort((a, b) => a[0]! - b[0]!);
    expect(buckets.at(-1)).toEqual([Number.POSITIVE_INFINITY, 3]);
    expect(buckets.find(([le]) => le! >= 1e-90 && le! < 1e90)?.[1]).toBe(1);
    const [count] = [...store.select(byName('latency_seconds_count'), 0, Date.now())];
    expect([...count!.values]).toEqual([3]);
    await provider.shutdown();
  });
});
