import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ViewsError } from '../errors/views-error.ts';
import type { ViewsLogger } from '../logging/views-logger.ts';
import { attributeSetKey, createSeriesLimitView } from '../processors/series-limiter.ts';
import {
  type CardinalityOptions,
  createYardstickViews,
  type YardstickViewsContext,
} from './create-yardstick-views.ts';

class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality, readerLimit?: number) {
    super({
      aggregationTemporalitySelector: () => temporality,
      ...(readerLimit === undefined ? {} : { cardinalitySelector: () => readerLimit }),
    });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Kind = 'counter' | 'updown' | 'histogram' | 'observable-counter';

function setup(
  options: CardinalityOptions,
  temporality = AggregationTemporality.CUMULATIVE,
  context: YardstickViewsContext = {},
  singleView?: { instrumentName: string; limit: number },
) {
  const yardstick = createYardstickViews(options, context);
  const reader = new TestReader(temporality);
  const views = singleView === undefined ? yardstick.views : [createSeriesLimitView(singleView)];
  const provider = new MeterProvider({ readers: [reader], views });
  const meter =
    singleView === undefined
      ? yardstick.bindMeterProvider(provider).getMeter('test')
      : provider.getMeter('test');
  const record = (kind: Kind, name: string) => {
    if (kind === 'observable-counter') {
      // The callback reports each set's running total, in the order the sets were first recorded.
      const totals = new Map<string, [Attributes, number]>();
      meter.createObservableCounter(name).addCallback((result) => {
        for (const [attributes, total] of totals.values()) result.observe(total, attributes);
      });
      return (v: number, a: Attributes) => {
        const key = attributeSetKey(a);
        const total = totals.get(key);
        if (total === undefined) totals.set(key, [a, v]);
        else total[1] += v;
      };
    }
    if (kind === 'counter') {
      const c = meter.createCounter(name);
      return (v: number, a: Attributes) => c.add(v, a);
    }
    if (kind === 'updown') {
      const c = meter.createUpDownCounter(name);
      return (v: number, a: Attributes) => c.add(v, a);
    }
    const h = meter.createHistogram(name);
    return (v: number, a: Attributes) => h.record(v, a);
  };
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  };
  return { yardstick, provider, meter, record, collect };
}

/** Per exported series: canonical attribute key -> [sum, count]. */
function points(metrics: MetricData[], name: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const metric of metrics) {
    if (metric.descriptor.name !== name) continue;
    for (const point of metric.dataPoints) {
      const key = attributeSetKey(point.attributes);
      expect(out.has(key)).toBe(false);
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        const value = point.value as Histogram;
        out.set(key, [value.sum ?? 0, value.count]);
      } else {
        out.set(key, [point.value as number, 1]);
      }
    }
  }
  return out;
}

const OVERFLOW_KEY = attributeSetKey({ 'otel.metric.overflow': true });

const attributeSet = fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y', 'z', 1, true), {
  maxKeys: 3,
});
// Collections are frequent and streams long enough that overflowing sets often arrive before admitted ones
// in a later cycle: the case where a per-cycle limit (the SDK's own) would push an admitted set into overflow.
const operation = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('record' as const), set: fc.nat(11), value: fc.nat(100) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
);

describe('createYardstickViews series limit', () => {
  it('exports exactly the first admitted sets plus one overflow series, with exact sums, in every collection cycle', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>('counter', 'updown', 'histogram', 'observable-counter'),
        fc.constantFrom(AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA),
        fc.integer({ min: 1, max: 6 }),
        fc.array(attributeSet, { minLength: 12, maxLength: 12 }),
        fc.array(operation, { minLength: 10, maxLength: 80, size: 'medium' }),
        fc.boolean(),
        async (kind, temporality, limit, universe, ops, viaSingleView) => {
          // Both entry points: createYardstickViews with a bound provider, and one createSeriesLimitView.
          // The single-processor view is for synchronous instruments: the SDK keeps only the last of several
          // observations a processor maps to one set.
          const single =
            viaSingleView && kind !== 'observable-counter'
              ? { instrumentName: 'test.metric', limit }
              : undefined;
          const { record, collect } = setup({ limits: { 'test.*': limit } }, temporality, {}, single);
          const add = record(kind, 'test.metric');
          // The spec's model: the first `limit` distinct sets keep their own series, every later set's
          // measurements land in the overflow series; per series [sum, count] (count only for histograms).
          const admitted: string[] = [];
          const total = new Map<string, [number, number]>();
          let sinceCollect = new Map<string, [number, number]>();
          const check = async () => {
            const series = points(await collect(), 'test.metric');
            expect(series.size).toBeLessThanOrEqual(limit + 1);
            const expected = temporality === AggregationTemporality.CUMULATIVE ? total : sinceCollect;
            const exported = new Map(series);
            if (kind === 'observable-counter' && temporality === AggregationTemporality.DELTA) {
              // An observable reports every set at every collection; unchanged ones export a zero delta.
              for (const [key, [sum]] of exported) if (sum === 0 && !expected.has(key)) exported.delete(key);
            }
            expect(exported).toEqual(expected);
            sinceCollect = new Map();
          };
          for (const step of ops) {
            if (step.op === 'collect') {
              await check();
              continue;
            }
            const attributes = universe[step.set]!;
            const value = kind === 'updown' && step.value % 3 === 0 ? -step.value : step.value;
            let key = attributeSetKey(attributes);
            if (!admitted.includes(key)) {
              if (admitted.length < limit) admitted.push(key);
              else key = OVERFLOW_KEY;
            }
            for (const model of [total, sinceCollect]) {
              const [sum, count] = model.get(key) ?? [0, 0];
              model.set(key, [sum + value, kind === 'histogram' ? count + 1 : 1]);
            }
            add(value, attributes);
          }
          await check();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with idle eviction, delta temporality and collections every idle period, caps series and loses nothing', async () => {
    const step = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ op: fc.constant('record' as const), set: fc.nat(9), value: fc.nat(50) }),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.nat(30) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(step, { minLength: 10, maxLength: 80, size: 'medium' }),
        async (limit, ops) => {
          let now = 0;
          const { record, collect } = setup(
            { limits: { 'e.*': limit }, idleEvictionMs: 20 },
            AggregationTemporality.DELTA,
            {
              now: () => now,
            },
          );
          const add = record('counter', 'e.count');
          let recorded = 0;
          let exported = 0;
          const drain = async () => {
            const series = points(await collect(), 'e.count');
            expect(series.size).toBeLessThanOrEqual(limit + 1);
            for (const [sum] of series.values()) exported += sum;
          };
          // Readers collect at least every idleEvictionMs, the documented condition for eviction.
          let nextCollect = 20;
          for (const op of ops) {
            if (op.op === 'tick') {
              const target = now + op.ms;
              while (nextCollect <= target) {
                now = nextCollect;
                await drain();
                nextCollect += 20;
              }
              now = target;
            } else if (op.op === 'collect') await drain();
            else {
              add(op.value, { s: op.set });
              recorded += op.value;
            }
          }
          await drain();
          expect(exported).toBe(recorded);
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each([
    ['cumulative', AggregationTemporality.CUMULATIVE],
    ['delta', AggregationTemporality.DELTA],
  ] as const)(
    'is not overridden by the SDK limit or a lower reader limit at the highest configured limit (%s)',
    async (_, temporality) => {
      // The SDK's own limit is derived from the highest configured limit, so an instrument at that limit is
      // where an off-by-one would show: a later cycle that sees the overflow series before the admitted sets.
      const yardstick = createYardstickViews({ defaultLimit: 100 });
      const reader = new TestReader(temporality, 10);
      const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
      const counter = yardstick.bindMeterProvider(provider).getMeter('m').createCounter('busy');
      const collect = async () => {
        const { resourceMetrics } = await reader.collect();
        return points(
          resourceMetrics.scopeMetrics.flatMap((s) => s.metrics),
          'busy',
        );
      };
      for (let i = 0; i < 105; i++) counter.add(1, { i });
      const first = await collect();
      expect(first.size).toBe(101);
      expect(first.get(OVERFLOW_KEY)).toEqual([5, 1]);
      for (let i = 104; i >= 0; i--) counter.add(10, { i });
      const second = await collect();
      expect(second.size).toBe(101);
      const perSet = temporality === AggregationTemporality.CUMULATIVE ? 11 : 10;
      for (let i = 0; i < 100; i++) expect(second.get(attributeSetKey({ i }))).toEqual([perSet, 1]);
      expect(second.get(OVERFLOW_KEY)).toEqual([5 * perSet, 1]);
    },
  );

  it('does not overflow while distinct sets stay within the limit, across collection cycles', async () => {
    const { record, collect } = setup({ limits: { 'jobs.*': 3 } });
    const add = record('counter', 'jobs.done');
    for (const tenant of ['a', 'b', 'c']) add(1, { tenant });
    await collect();
    for (const tenant of ['c', 'b', 'a']) add(1, { tenant });
    const series = points(await collect(), 'jobs.done');
    expect([...series.keys()].sort()).toEqual(
      ['a', 'b', 'c'].map((tenant) => attributeSetKey({ tenant })).sort(),
    );
  });

  it('warns once per metric on the first overflow, naming the keys with the most distinct values', async () => {
    const warnings: Array<{ obj: object; msg: string | undefined }> = [];
    const logger: ViewsLogger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (obj, msg) => warnings.push({ obj, msg }),
    };
    const { record } = setup({ limits: { 'http.*': 4 } }, AggregationTemporality.CUMULATIVE, { logger });
    const add = record('counter', 'http.requests');
    for (let i = 0; i < 10; i++) add(1, { user: `u${i}`, method: i % 2 === 0 ? 'GET' : 'POST' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj).toMatchObject({
      metric: 'http.requests',
      limit: 4,
      topKeys: [
        { key: 'user', distinctValues: 4 },
        { key: 'method', distinctValues: 2 },
      ],
    });
  });

  it('keeps observable series exact when their sets change, idle eviction or not', async () => {
    // The SDK remembers every set an observable ever reported (and overflows on its own past that), so
    // freeing the places of sets a callback stopped reporting would let it merge new sets into overflow.
    let now = 0;
    const yardstick = createYardstickViews({ defaultLimit: 100, idleEvictionMs: 1000 }, { now: () => now });
    const reader = new TestReader(AggregationTemporality.DELTA);
    const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
    let prefix = 's';
    let value = 1;
    yardstick
      .bindMeterProvider(provider)
      .getMeter('m')
      .createObservableGauge('queue.depth')
      .addCallback((result) => {
        for (let i = 0; i < 100; i++) result.observe(value, { queue: `${prefix}${i}` });
      });
    const collect = async () => {
      const { resourceMetrics } = await reader.collect();
      return points(
        resourceMetrics.scopeMetrics.flatMap((s) => s.metrics),
        'queue.depth',
      );
    };
    expect((await collect()).size).toBe(100);
    now = 5000;
    prefix = 't';
    value = 2;
    const second = await collect();
    // The new sets found the places taken: they share the overflow series, which holds their last value.
    expect(second.get(OVERFLOW_KEY)).toEqual([2, 1]);
    expect(second.size).toBe(1);
    expect(yardstick.stats()[0]).toMatchObject({ series: 100, evictedSeries: 0 });
  });

  it('forgets sets idle for idleEvictionMs and gives their place to new sets', async () => {
    let now = 0;
    const { record, collect, yardstick } = setup(
      { limits: { 'q.*': 2 }, idleEvictionMs: 1000 },
      AggregationTemporality.DELTA,
      { now: () => now },
    );
    const add = record('counter', 'q.depth');
    add(1, { q: 'a' });
    add(1, { q: 'b' });
    add(1, { q: 'c' });
    expect([...points(await collect(), 'q.depth').keys()]).toContain(OVERFLOW_KEY);
    now = 5000;
    add(1, { q: 'b' });
    now = 5100;
    add(2, { q: 'c' });
    const series = points(await collect(), 'q.depth');
    expect(series.get(attributeSetKey({ q: 'c' }))).toEqual([2, 1]);
    expect(series.has(OVERFLOW_KEY)).toBe(false);
    expect(yardstick.stats()[0]).toMatchObject({ metric: 'q.depth', series: 2, evictedSeries: 1 });
  });
});

describe('createYardstickViews attribute rules', () => {
  it('maps values over a key budget to the other value and counts them', async () => {
    const { record, collect, yardstick } = setup({
      attributeBudgets: [{ instrument: 'jobs.*', key: 'tenant', maxValues: 2, otherValue: 'other' }],
    });
    const add = record('counter', 'jobs.run');
    for (const tenant of ['t1', 't2', 't3', 't4', 't1', 't3']) add(1, { tenant, kind: 'x' });
    const series = points(await collect(), 'jobs.run');
    expect(series.get(attributeSetKey({ tenant: 't1', kind: 'x' }))).toEqual([2, 1]);
    expect(series.get(attributeSetKey({ tenant: 't2', kind: 'x' }))).toEqual([1, 1]);
    expect(series.get(attributeSetKey({ tenant: 'other', kind: 'x' }))).toEqual([3, 1]);
    expect(yardstick.stats()[0]!.cappedValues).toEqual([{ key: 'tenant', measurements: 3 }]);
  });

  it('applies allow and deny lists of the patterns matching each instrument', async () => {
    const { record, collect } = setup({
      allow: { 'http.server.*': ['http.route', 'http.request.method', 'secret'] },
      deny: { '*': ['secret'] },
    });
    record('counter', 'http.server.requests')(1, {
      'http.route': '/a',
      'http.request.method': 'GET',
      x: 1,
      secret: 's',
    });
    record('counter', 'db.calls')(1, { x: 1, secret: 's' });
    const metrics = await collect();
    expect([...points(metrics, 'http.server.requests').keys()]).toEqual([
      attributeSetKey({ 'http.route': '/a', 'http.request.method': 'GET' }),
    ]);
    expect([...points(metrics, 'db.calls').keys()]).toEqual([attributeSetKey({ x: 1 })]);
  });

  it('redacts secrets and templates raw paths by default, also on instruments of the raw provider', async () => {
    const { provider, collect, record } = setup({});
    provider
      .getMeter('raw')
      .createCounter('raw.calls')
      .add(1, { 'client.address': '10.1.2.3', peer: 'db 10.0.0.7' });
    record('counter', 'http.client.calls')(1, { 'url.path': '/users/42/orders/9f1c2e7a55', user: 'a@b.io' });
    const metrics = await collect();
    expect([...points(metrics, 'raw.calls').keys()]).toEqual([attributeSetKey({ peer: 'db [REDACTED]' })]);
    expect([...points(metrics, 'http.client.calls').keys()]).toEqual([
      attributeSetKey({ 'url.path': '/users/:id/orders/:id', user: '[REDACTED]' }),
    ]);
  });

  it('redacts the instruments of yardstick meters even when redaction is off for the rest', async () => {
    const yardstick = createYardstickViews({ redaction: { enabled: false } });
    const reader = new TestReader(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
    const bound = yardstick.bindMeterProvider(provider);
    const secret = { 'client.address': '10.1.2.3', peer: 'db 10.0.0.7', 'url.full': 'https://u:pw@h/x' };
    bound.getMeter('@yardstick/sdk').createCounter('yardstick.server.requests').add(1, secret);
    bound
      .getMeter('@yardstick/sdk')
      .createObservableGauge('yardstick.server.connections')
      .addCallback((result) => result.observe(2, secret));
    bound.getMeter('app').createCounter('app.calls').add(1, secret);
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const redacted = attributeSetKey({ peer: 'db [REDACTED]', 'url.full': 'https://[REDACTED]@h/x' });
    expect([...points(metrics, 'yardstick.server.requests').keys()]).toEqual([redacted]);
    expect([...points(metrics, 'yardstick.server.connections').keys()]).toEqual([redacted]);
    expect([...points(metrics, 'app.calls').keys()]).toEqual([attributeSetKey(secret)]);
  });

  it('records adversarial keys and values intact, __proto__ included', async () => {
    const { record, collect } = setup({ deny: { '*': ['drop.me'] } });
    const add = record('counter', 'odd.keys');
    const proto = JSON.parse('{"__proto__": "p", "constructor": "c", "drop.me": "x"}') as Attributes;
    add(1, proto);
    const odd: Attributes = { '"}\n{': 'a"b\nc}', ключ: '値'.repeat(300), ['k'.repeat(1000)]: true };
    add(2, odd);
    add(3, odd);
    const series = points(await collect(), 'odd.keys');
    expect(series.get(attributeSetKey(JSON.parse('{"__proto__": "p", "constructor": "c"}')))).toEqual([1, 1]);
    expect(series.get(attributeSetKey(odd))).toEqual([5, 1]);
  });

  it('records sets with many keys or array values, which skip the decision cache, like any other', async () => {
    const { record, collect } = setup({ limits: { 'wide.*': 2 } });
    const add = record('counter', 'wide.count');
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    for (let i = 0; i < 3; i++) add(1, wide);
    for (let i = 0; i < 2; i++) add(1, { tags: ['a', 'b'] });
    add(5, { tags: ['c'] });
    const series = points(await collect(), 'wide.count');
    expect(series.get(attributeSetKey(wide))).toEqual([3, 1]);
    expect(series.get(attributeSetKey({ tags: ['a', 'b'] }))).toEqual([2, 1]);
    expect(series.get(OVERFLOW_KEY)).toEqual([5, 1]);
  });

  it('keeps recording when the logger throws at the first overflow', async () => {
    const throwing: ViewsLogger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: () => {
        throw new Error('logger down');
      },
    };
    const { record, collect } = setup({ limits: { 'l.*': 1 } }, AggregationTemporality.CUMULATIVE, {
      logger: throwing,
    });
    const add = record('counter', 'l.count');
    add(1, { a: 1 });
    add(1, { a: 2 });
    add(1, { a: 3 });
    expect(points(await collect(), 'l.count').get(OVERFLOW_KEY)).toEqual([2, 1]);
  });

  it('rejects limits outside 100..10000 with a ViewsError', () => {
    expect(() => createYardstickViews({ defaultLimit: 5 })).toThrow(ViewsError);
    expect(() => createYardstickViews({ defaultLimit: 20_000 })).toThrow(/defaultLimit/);
    expect(() => createYardstickViews({ idleEvictionMs: 0 })).toThrow(/idleEvictionMs/);
  });
});

describe('createYardstickViews self-metrics', () => {
  it('reports overflowed measurements, series and capped values per metric', async () => {
    const { record, collect, yardstick, meter } = setup({
      limits: { 'a.*': 2 },
      attributeBudgets: [{ instrument: 'a.*', key: 'k', maxValues: 1 }],
    });
    yardstick.bindSelfMetrics(meter);
    const add = record('counter', 'a.count');
    for (const [k, j] of [
      ['1', 'x'],
      ['2', 'y'],
      ['1', 'z'],
      ['1', 'w'],
    ] as const) {
      add(1, { k, j });
    }
    const metrics = await collect();
    const names = metrics.map((m) => m.descriptor.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'yardstick.cardinality.overflow.measurements',
        'yardstick.cardinality.series',
        'yardstick.attribute.values.capped',
      ]),
    );
    expect(
      points(metrics, 'yardstick.cardinality.overflow.measurements').get(
        attributeSetKey({ metric: 'a.count' }),
      ),
    ).toEqual([2, 1]);
    expect(
      points(metrics, 'yardstick.cardinality.series').get(attributeSetKey({ metric: 'a.count' })),
    ).toEqual([2, 1]);
    expect(
      points(metrics, 'yardstick.attribute.values.capped').get(
        attributeSetKey({ metric: 'a.count', key: 'k' }),
      ),
    ).toEqual([1, 1]);
  });
});

describe('createYardstickViews with several readers', () => {
  it('limits the stream once for a cumulative and a delta reader alike', async () => {
    const yardstick = createYardstickViews({ limits: { 'r.*': 2 } });
    const cumulative = new TestReader(AggregationTemporality.CUMULATIVE);
    const delta = new TestReader(AggregationTemporality.DELTA);
    const provider = new MeterProvider({ readers: [cumulative, delta], views: yardstick.views });
    const counter = yardstick.bindMeterProvider(provider).getMeter('m').createCounter('r.count');
    for (let i = 0; i < 5; i++) counter.add(1, { i });
    for (const reader of [cumulative, delta]) {
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      expect(points(metrics, 'r.count')).toEqual(
        new Map([
          [attributeSetKey({ i: 0 }), [1, 1]],
          [attributeSetKey({ i: 1 }), [1, 1]],
          [OVERFLOW_KEY, [3, 1]],
        ]),
      );
    }
    expect(yardstick.stats()[0]).toMatchObject({ series: 2, overflowMeasurements: 3 });
  });
});
