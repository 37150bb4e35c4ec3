import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloatHistogram } from '../histogram/float-histogram.ts';
import type { LabelMatcher, Labels } from './queryable.ts';
import { isStaleNaN } from './queryable.ts';
import { SampleStore } from './sample-store.ts';

const all = Number.NEGATIVE_INFINITY;
const end = Number.POSITIVE_INFINITY;

function bitsOf(values: Float64Array): string[] {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  return Array.from({ length: values.length }, (_, i) => view.getBigUint64(i * 8, true).toString(16));
}

function bitsOfValue(value: number): string {
  return bitsOf(Float64Array.of(value))[0]!;
}

/** The reference semantics, written independently of the store: absent labels read as "". */
function naiveMatch(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every(({ type, name, value }) => {
    const actual = labels[name] ?? '';
    if (type === '=') return actual === value;
    if (type === '!=') return actual !== value;
    const matches = new RegExp(`^(?:${value})$`, 's').test(actual);
    return type === '=~' ? matches : !matches;
  });
}

function nonEmpty(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

function sortedKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const labelNames = ['__name__', 'job', 'env', 'a'];
const labelValue = fc.constantFrom('', 'a', 'b', 'ab', 'api', 'web', 'x.y', 'xzy', 'line\nbreak');
const labelSet = fc.record(
  { __name__: fc.constantFrom('up', 'http_requests_total'), job: labelValue, env: labelValue, a: labelValue },
  { requiredKeys: ['__name__'] },
);
const matcher: fc.Arbitrary<LabelMatcher> = fc.record({
  type: fc.constantFrom('=', '!=', '=~', '!~'),
  name: fc.constantFrom(...labelNames, 'missing'),
  value: fc.oneof(
    labelValue,
    fc.constantFrom('.*', '.+', 'a|b', 'a.*', '(?:web|api)', 'x.y', '[ab]+', 'line.break'),
  ),
});

describe('SampleStore', () => {
  it('returns appended samples of matching series within the window', () => {
    const store = new SampleStore();
    store.append({ __name__: 'up', job: 'api' }, 1000, 1);
    store.append({ __name__: 'up', job: 'api' }, 2000, 0);
    store.append({ job: 'web', __name__: 'up' }, 1000, 1);
    const result = [...store.select([{ type: '=', name: 'job', value: 'api' }], 1500, 3000)];
    expect(result).toHaveLength(1);
    expect(result[0]!.labels).toEqual({ __name__: 'up', job: 'api' });
    expect([...result[0]!.timestamps]).toEqual([2000]);
    expect([...result[0]!.values]).toEqual([0]);
  });

  it('treats label order as irrelevant and empty label values as absent', () => {
    const store = new SampleStore();
    store.append({ __name__: 'x', a: '1', b: '' }, 1000, 1);
    store.append({ a: '1', __name__: 'x' }, 2000, 2);
    expect(store.stats().series).toBe(1);
    expect(store.series([], all, end)).toEqual([{ __name__: 'x', a: '1' }]);
    expect(store.labelNames()).toEqual(['__name__', 'a']);
  });

  it('refuses out-of-order, duplicate and non-finite timestamps without throwing, and counts them', () => {
    const store = new SampleStore();
    expect(store.append({ __name__: 'x' }, 2000, 1)).toBe(true);
    expect(store.append({ __name__: 'x' }, 2000, 2)).toBe(false);
    expect(store.append({ __name__: 'x' }, 1000, 3)).toBe(false);
    expect(store.append({ __name__: 'x' }, Number.NaN, 3)).toBe(false);
    expect(store.append({ __name__: 'x' }, Number.POSITIVE_INFINITY, 3)).toBe(false);
    expect(store.append({ __name__: 'y' }, 1000, 3)).toBe(true);
    expect(store.stats()).toMatchObject({ rejectedSamples: 4, samples: 2 });
  });

  it('keeps the staleness marker distinct from an ordinary NaN', () => {
    const store = new SampleStore();
    store.append({ __name__: 'x' }, 1000, Number.NaN);
    expect(store.appendStaleMarker({ __name__: 'x' }, 2000)).toBe(true);
    const [series] = [...store.select([{ type: '=', name: '__name__', value: 'x' }], 0, 3000)];
    expect(Number.isNaN(series!.values[0]!)).toBe(true);
    expect(isStaleNaN(series!.values[0]!)).toBe(false);
    expect(isStaleNaN(series!.values[1]!)).toBe(true);
  });

  it('returns exactly what was appended, bit-exact and in time order, for any appends and window', () => {
    const append = fc.record({
      series: fc.integer({ min: 0, max: 3 }),
      t: fc.integer({ min: 0, max: 2_000_000 }),
      value: fc.oneof(
        fc.double(),
        fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        fc.constant('stale' as const),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(append, { maxLength: 600, size: 'max' }),
        fc.nat(2_000_000),
        fc.nat(2_000_000),
        (appends, a, b) => {
          const [minT, maxT] = a <= b ? [a, b] : [b, a];
          const store = new SampleStore();
          const model = new Map<string, { t: number; bits: string }[]>();
          for (const { series, t, value } of appends) {
            const labels = { __name__: 'm', s: String(series) };
            const samples = model.get(labels.s) ?? [];
            model.set(labels.s, samples);
            const accepted = samples.length === 0 || t > samples[samples.length - 1]!.t;
            const stored =
              value === 'stale' ? store.appendStaleMarker(labels, t) : store.append(labels, t, value);
            expect(stored).toBe(accepted);
            if (accepted)
              samples.push({ t, bits: value === 'stale' ? '7ff0000000000002' : bitsOfValue(value) });
          }
          const got = new Map<string, { t: number; bits: string }[]>();
          for (const series of store.select([], minT, maxT)) {
            const bits = bitsOf(series.values);
            got.set(
              series.labels.s!,
              [...series.timestamps].map((t, i) => ({ t, bits: bits[i]! })),
            );
          }
          const expected = new Map<string, { t: number; bits: string }[]>();
          for (const [s, samples] of model) {
            const inWindow = samples.filter(({ t }) => t >= minT && t <= maxT);
            if (inWindow.length > 0) expected.set(s, inWindow);
          }
          expect(got).toEqual(expected);
          expect(store.stats().samples).toBe([...model.values()].reduce((n, s) => n + s.length, 0));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('selects series with the same matcher semantics as Prometheus, for any matchers', () => {
    fc.assert(
      fc.property(
        fc.array(labelSet, { maxLength: 30 }),
        fc.array(matcher, { maxLength: 3 }),
        (sets, matchers) => {
          const store = new SampleStore();
          for (const labels of sets) store.append(labels, 1000, 1);
          const stored = new Map(sets.map((labels) => [sortedKey(nonEmpty(labels)), nonEmpty(labels)]));
          const expected = [...stored.values()].filter((labels) => naiveMatch(labels, matchers));
          const got = [...store.select(matchers, 0, 2000)].map((s) => s.labels);
          expect(new Set(got.map(sortedKey))).toEqual(new Set(expected.map(sortedKey)));
          expect(got).toHaveLength(expected.length);
          expect(store.series(matchers, 0, 2000)).toEqual(got);
          expect(store.labelNames(matchers)).toEqual([...new Set(expected.flatMap(Object.keys))].sort());
          expect(store.labelValues('job', matchers)).toEqual(
            [...new Set(expected.flatMap((labels) => (labels.job === undefined ? [] : [labels.job])))].sort(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lists label names and values of all series when no matcher is given', () => {
    const store = new SampleStore();
    store.append({ __name__: 'a', job: 'api', env: 'prod' }, 1000, 1);
    store.append({ __name__: 'b', job: 'web' }, 1000, 1);
    expect(store.labelNames()).toEqual(['__name__', 'env', 'job']);
    expect(store.labelValues('job')).toEqual(['api', 'web']);
    expect(store.labelValues('nope')).toEqual([]);
  });

  it('matches nothing for a regex that cannot be compiled, instead of throwing', () => {
    const store = new SampleStore();
    store.append({ __name__: 'a', job: 'api' }, 1000, 1);
    expect([...store.select([{ type: '=~', name: 'job', value: '(' }], 0, 2000)]).toEqual([]);
    expect(store.series([{ type: '!~', name: 'job', value: '(' }], 0, 2000)).toEqual([
      { __name__: 'a', job: 'api' },
    ]);
  });

  it('skips series that disappear while a select is being iterated', () => {
    const store = new SampleStore();
    store.append({ __name__: 'a' }, 1000, 1);
    store.append({ __name__: 'b' }, 1000, 1);
    const seen: string[] = [];
    for (const series of store.select([], 0, 2000)) {
      seen.push(series.labels.__name__!);
      store.clear();
    }
    expect(seen).toEqual(['a']);
  });

  it('forgets everything on clear', () => {
    const store = new SampleStore();
    store.append({ __name__: 'a' }, 1000, 1);
    store.clear();
    expect(store.stats()).toMatchObject({ series: 0, samples: 0, bytes: 0 });
    expect(store.labelNames()).toEqual([]);
    expect(store.append({ __name__: 'a' }, 500, 1)).toBe(true);
  });
});

describe('SampleStore retention', () => {
  const minute = 60_000;

  it('drops chunks older than the retention and series left empty, keeping newer samples', () => {
    let now = 0;
    const store = new SampleStore({ retentionMs: 60 * minute, now: () => now });
    // 4 hours of 15 s samples for `live`; `gone` stops after one hour.
    for (let t = 0; t < 240 * minute; t += 15_000) {
      store.append({ __name__: 'm', instance: 'live' }, t, t / 1000);
      if (t < 60 * minute) store.append({ __name__: 'm', instance: 'gone' }, t, 1);
    }
    const before = store.stats();
    now = 240 * minute;
    const result = store.enforceRetention();
    const after = store.stats();

    expect(store.labelValues('instance')).toEqual(['live']);
    expect(result.droppedSeries).toBe(1);
    expect(result.droppedSamples).toBe(before.samples - after.samples);
    const [live] = [...store.select([], Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)];
    // Whole chunks only: the oldest kept sample is at most one chunk (30 min of 15 s samples) past the cutoff.
    expect(live!.timestamps[0]).toBeLessThanOrEqual(180 * minute);
    expect(live!.timestamps[0]).toBeGreaterThan(180 * minute - 30 * minute);
    expect(live!.timestamps[live!.timestamps.length - 1]).toBe(240 * minute - 15_000);
    expect(after.bytes).toBeLessThan(before.bytes);
  });

  it('drops the oldest chunks until the store is under its byte budget', () => {
    const maxBytes = 40_000;
    const store = new SampleStore({ maxBytes });
    // Older series first: series i covers hours [i, i + 4).
    for (let i = 0; i < 20; i++) {
      for (let t = i * 60 * minute; t < (i + 4) * 60 * minute; t += 15_000) {
        store.append({ __name__: 'm', series: String(i) }, t, Math.sin(t));
      }
    }
    expect(store.stats().bytes).toBeGreaterThan(maxBytes);
    const result = store.enforceRetention();
    const stats = store.stats();

    expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    expect(stats.series).toBeGreaterThan(0);
    expect(result.droppedSeries).toBe(20 - stats.series);
    // What is left is the newest data: the newest series kept its last sample.
    const newest = store.series(
      [{ type: '=', name: 'series', value: '19' }],
      23 * 60 * minute - 15_000,
      23 * 60 * minute,
    );
    expect(newest).toEqual([{ __name__: 'm', series: '19' }]);
    expect(store.labelValues('series')).not.toContain('0');
  });

  it('does nothing without retention limits', () => {
    const store = new SampleStore();
    store.append({ __name__: 'm' }, 0, 1);
    expect(store.enforceRetention()).toEqual({ droppedSamples: 0, droppedSeries: 0 });
    expect(store.stats().samples).toBe(1);
  });
});

describe('SampleStore compression', () => {
  it('holds a day of 15 s scrapes of 1,000 slowly changing series in at most 2 bytes per sample', () => {
    const store = new SampleStore();
    const series = 1000;
    const steps = (24 * 3600) / 15;
    const start = 1_767_225_600_000;
    let seed = 7;
    // A deterministic pseudo-random walk (LCG), so a failure reproduces.
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const current = Array.from({ length: series }, (_, i): number => (i % 2 === 0 ? 0 : 50));
    const labels = Array.from({ length: series }, (_, i) => ({
      __name__: i % 2 === 0 ? 'http_server_requests_total' : 'queue_depth',
      instance: `host-${i % 50}:9464`,
      route: `/api/v1/resource/${i}`,
    }));
    for (let step = 0; step < steps; step++) {
      const t = start + step * 15_000;
      for (let i = 0; i < series; i++) {
        // Counters grow by a few requests in 30% of scrapes; gauges move by up to ±2.0 in 10% of them.
        if (i % 2 === 0 && random() < 0.3) current[i]! += 1 + Math.floor(random() * 3);
        if (i % 2 === 1 && random() < 0.1)
          current[i] = Math.round((current[i]! + (random() - 0.5) * 4) * 10) / 10;
        store.append(labels[i]!, t, current[i]!);
      }
    }
    const stats = store.stats();
    expect(stats.samples).toBe(series * steps);
    expect(stats.bytesPerSample).toBeLessThanOrEqual(2);
    const last = [
      ...store.select([{ type: '=', name: 'route', value: '/api/v1/resource/998' }], 0, start * 2),
    ];
    expect(last[0]!.values[steps - 1]).toBe(current[998]);
  }, 120_000);
});

describe('SampleStore native histograms', () => {
  it('read a window in the middle of many histogram chunks, and no sample outside it', () => {
    const store = new SampleStore();
    const labels = { __name__: 'h' };
    // 1,000 samples: 9 chunks of 120 and a head.
    for (let i = 0; i < 1000; i++) {
      const h = new FloatHistogram({
        count: i,
        sum: i,
        positiveSpans: [{ offset: 0, length: 1 }],
        positiveBuckets: [i],
      });
      store.appendHistogram(labels, i * 15_000, h);
    }
    const [series] = [
      ...store.select([{ type: '=', name: '__name__', value: 'h' }], 400 * 15_000, 410 * 15_000),
    ];
    expect(series?.histograms?.map((h) => h?.count)).toEqual(Array.from({ length: 11 }, (_, i) => 400 + i));
    const [edge] = [
      ...store.select([{ type: '=', name: '__name__', value: 'h' }], 239 * 15_000, 240 * 15_000),
    ];
    expect(edge?.histograms?.map((h) => h?.count)).toEqual([239, 240]);
  });
});
