import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';
import { naturalCompare } from './label-functions.ts';

const store = new SampleStore();
store.append({ __name__: 'm' }, 0, 0);
store.append({ __name__: 'm' }, 60_000, 1);
store.append({ __name__: 'm' }, 120_000, 2);
store.append({ __name__: 'h', job: 'a', i: '10' }, 120_000, 1);
store.append({ __name__: 'h', job: 'a', i: '9' }, 120_000, 3);
store.append({ __name__: 'h', job: 'b', i: '3' }, 120_000, 10);
const buckets: [string, number][] = [
  ['0.1', 1],
  ['0.5', 3],
  ['1', 4],
  ['+Inf', 4],
];
for (const [le, count] of buckets) store.append({ __name__: 'lat_bucket', le }, 120_000, count);
for (const [le, count] of [
  ['0.1', 2],
  ['0.5', 1],
  ['+Inf', 3],
] as const) {
  store.append({ __name__: 'bad_bucket', le }, 120_000, count);
}

const at = 150_000;

function result(query: string) {
  return evaluateInstant(store, parseExpr(query, { experimentalFunctions: true }), at);
}

function samples(query: string): { labels: Record<string, string>; value: number }[] {
  const { value } = result(query);
  if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
  return value.samples.map((s) => ({ labels: { ...s.labels }, value: s.value }));
}

function one(query: string): number | undefined {
  const s = samples(query);
  expect(s.length).toBeLessThanOrEqual(1);
  return s[0]?.value;
}

describe('math functions', () => {
  it('apply element-wise and drop the name', () => {
    expect(samples('abs(-m)')).toEqual([{ labels: {}, value: 2 }]);
    expect(one('sqrt(m + 7)')).toBe(3);
    expect(one('log2(m * 4)')).toBe(3);
    expect(one('log10(m * 500)')).toBe(3);
    expect(one('exp(m - 2)')).toBe(1);
    expect(one('ln(m - 1)')).toBe(0);
    expect(one('sgn(-m)')).toBe(-1);
    expect(one('ceil(m / 3)')).toBe(1);
    expect(one('floor(m / 3)')).toBe(0);
    expect(one('deg(vector(pi()))')).toBe(180);
    expect(one('rad(vector(180))')).toBe(Math.PI);
    expect(one('cos(vector(0))')).toBe(1);
  });

  it('round half up, optionally to a multiple', () => {
    expect(one('round(vector(2.5))')).toBe(3);
    expect(one('round(vector(-2.5))')).toBe(-2);
    expect(one('round(vector(7), 5)')).toBe(5);
  });

  it('clamp, and return nothing when max < min', () => {
    expect(one('clamp(m, 0, 1)')).toBe(1);
    expect(one('clamp_min(m, 5)')).toBe(5);
    expect(one('clamp_max(m, 1.5)')).toBe(1.5);
    expect(one('clamp(m, 2, 1)')).toBeUndefined();
  });
});

describe('time functions', () => {
  it('read UTC calendar fields of a Unix time', () => {
    expect(one('year(vector(0))')).toBe(1970);
    expect(one('month(vector(2678400))')).toBe(2);
    expect(one('day_of_year(vector(2678400))')).toBe(32);
    expect(one('days_in_month(vector(2678400))')).toBe(28);
    expect(one('day_of_week(vector(259200))')).toBe(0);
    expect(one('hour(vector(18420))')).toBe(5);
    expect(one('minute(vector(18420))')).toBe(7);
  });

  it('give the evaluation time, and the sample time for a selector', () => {
    expect(result('time()').value).toEqual({ type: 'scalar', timestampMs: at, value: 150 });
    expect(one('timestamp(m)')).toBe(120);
    expect(one('timestamp(m offset 1m)')).toBe(60);
    expect(one('timestamp(-m)')).toBe(150);
  });
});

describe('vector and scalar conversion', () => {
  it('wrap a scalar, and unwrap a single-element vector or give NaN', () => {
    expect(samples('vector(1)')).toEqual([{ labels: {}, value: 1 }]);
    expect(result('scalar(m)').value).toMatchObject({ type: 'scalar', value: 2 });
    expect(result('scalar(h)').value).toMatchObject({ type: 'scalar', value: Number.NaN });
  });
});

describe('label functions', () => {
  it('rewrite labels with label_replace and label_join', () => {
    expect(samples('label_replace(m, "dst", "x-$1", "__name__", "(.)")')[0]!.labels).toEqual({
      __name__: 'm',
      dst: 'x-m',
    });
    expect(samples('label_replace(m, "dst", "$1", "__name__", "nomatch")')[0]!.labels).toEqual({
      __name__: 'm',
    });
    expect(samples('label_join(h{job="b"}, "k", "-", "job", "i")')[0]!.labels.k).toBe('b-3');
    // RE2 syntax: named groups as Go spells them, ASCII classes.
    expect(samples('label_replace(m, "dst", "$x!", "__name__", "(?P<x>[[:alpha:]])")')[0]!.labels).toEqual({
      __name__: 'm',
      dst: 'm!',
    });
  });

  it('fail when label_replace makes two series equal', () => {
    expect(() => samples('label_replace(h{job="a"}, "i", "", "", "")')).toThrow(
      'vector cannot contain metrics with the same labelset',
    );
  });

  it('sort by value or by label in natural order', () => {
    expect(samples('sort(h)').map((s) => s.value)).toEqual([1, 3, 10]);
    expect(samples('sort_desc(h)').map((s) => s.value)).toEqual([10, 3, 1]);
    expect(samples('sort_by_label(h, "i")').map((s) => s.labels.i)).toEqual(['3', '9', '10']);
    expect(samples('sort_by_label_desc(h, "job", "i")').map((s) => s.labels.i)).toEqual(['3', '10', '9']);
  });

  it('break sort_by_label ties by the whole label set, reversed for sort_by_label_desc', () => {
    // Equal job: {i="10", job="a"} before {i="9", job="a"}, as label sets compare byte-wise.
    expect(samples('sort_by_label(h, "job")').map((s) => s.labels.i)).toEqual(['10', '9', '3']);
    expect(samples('sort_by_label_desc(h, "job")').map((s) => s.labels.i)).toEqual(['3', '9', '10']);
    // A label no series has leaves the whole label sets to decide: i="10" < i="3" < i="9" byte-wise.
    expect(samples('sort_by_label(h, "missing")').map((s) => s.labels.i)).toEqual(['10', '3', '9']);
  });

  it('warn that sorting is ineffective in a range query', () => {
    const range = evaluateRange(
      store,
      parseExpr('sort_by_label(h, "i")', { experimentalFunctions: true }),
      0,
      at,
      60_000,
    );
    expect(range.warnings).toEqual([
      'PromQL warning: sort is ineffective for range queries since results are always ordered by labels',
    ]);
    expect(result('sort_by_label(h, "i")').warnings).toEqual([]);
  });

  it('report an absent selector with its equality matchers', () => {
    expect(samples('absent(nope{job="x", env=~"p.*"})')).toEqual([{ labels: { job: 'x' }, value: 1 }]);
    expect(samples('absent(h)')).toEqual([]);
  });

  it('order digit runs numerically in natural comparison, antisymmetrically', () => {
    expect(naturalCompare('a9', 'a10')).toBeLessThan(0);
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        (a, b) => Math.sign(naturalCompare(a, b)) === -Math.sign(naturalCompare(b, a)),
      ),
    );
  });
});

describe('classic histograms', () => {
  it('interpolate histogram_quantile within the bucket holding the rank', () => {
    const [median] = samples('histogram_quantile(0.5, lat_bucket)');
    expect(median!.labels).toEqual({});
    expect(median!.value).toBeCloseTo(0.3, 15);
    expect(one('histogram_quantile(1, lat_bucket)')).toBe(1);
  });

  it('fix non-monotonic buckets and say so', () => {
    const r = result('histogram_quantile(0.5, bad_bucket)');
    expect(r.value.type === 'vector' && r.value.samples[0]!.value).toBeCloseTo(0.075, 12);
    expect(r.infos).toEqual([
      'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "bad_bucket"',
    ]);
  });

  it('warn about a quantile outside [0, 1]', () => {
    const r = result('histogram_quantile(-1, lat_bucket)');
    expect(r.warnings).toEqual(['PromQL warning: quantile value should be between 0 and 1, got -1']);
    expect(r.value.type === 'vector' && r.value.samples[0]!.value).toBe(Number.NEGATIVE_INFINITY);
  });

  it('estimate histogram_fraction from cumulative counts', () => {
    expect(one('histogram_fraction(0, 0.5, lat_bucket)')).toBe(0.75);
  });

  it('label each quantile of histogram_quantiles', () => {
    const byQuantile = samples('histogram_quantiles(lat_bucket, "q", 0.5, 1)');
    expect(byQuantile.map((s) => s.labels)).toEqual([{ q: '0.5' }, { q: '1.0' }]);
    expect(byQuantile[0]!.value).toBeCloseTo(0.3, 15);
    expect(byQuantile[1]!.value).toBe(1);
  });
});

describe('min_of and max_of', () => {
  it('pick the smaller or larger of two scalars, NaN when either is NaN', () => {
    const value = (query: string) => {
      const v = result(query).value;
      return v.type === 'scalar' ? v.value : undefined;
    };
    expect(value('max_of(3, 5)')).toBe(5);
    expect(value('min_of(3, 5)')).toBe(3);
    expect(value('max_of(-2, -5)')).toBe(-2);
    expect(value('min_of(NaN, 5)')).toBeNaN();
    expect(value('max_of(5, NaN)')).toBeNaN();
    expect(value('max_of(scalar(m), time())')).toBe(at / 1000);
  });
});
