import { describe, expect, it } from 'vitest';
import { FloatHistogram } from '../histogram/float-histogram.ts';
import { parseHistogramDescription } from '../histogram/histogram-description.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

const m = 60_000;
const h = (text: string) => parseHistogramDescription(text).histogram;

/** `latency` with a histogram a minute for 5 minutes, and a float gauge beside it. */
function store(): SampleStore {
  const s = new SampleStore();
  for (let i = 0; i <= 5; i++) {
    s.appendHistogram(
      { __name__: 'latency', job: 'api' },
      i * m,
      h(`{{schema:0 count:${4 * i} sum:${10 * i} buckets:[${i} ${2 * i} ${i}]}}`),
    );
    s.append({ __name__: 'gauge', job: 'api' }, i * m, i);
  }
  return s;
}

function vector(query: string, timeMs = 5 * m) {
  const result = evaluateInstant(store(), parseExpr(query), timeMs);
  if (result.value.type !== 'vector') throw new Error(`expected a vector, got ${result.value.type}`);
  return { samples: result.value.samples, warnings: result.warnings, infos: result.infos };
}

describe('native histograms in the engine', () => {
  it('selects histogram samples as histograms, with the lookback of floats', () => {
    const [sample] = vector('latency', 5 * m + 30_000).samples;
    expect(sample?.histogram?.count).toBe(20);
    expect(sample?.value).toBe(0);
  });

  it('keeps histograms in range selectors, subqueries and range query results', () => {
    const range = evaluateInstant(store(), parseExpr('latency[2m]'), 5 * m);
    if (range.value.type !== 'matrix') throw new Error('expected a matrix');
    expect(range.value.series[0]?.histograms?.map((x) => x?.count)).toEqual([16, 20]);
    const subquery = evaluateInstant(store(), parseExpr('latency[2m:1m]'), 5 * m);
    if (subquery.value.type !== 'matrix') throw new Error('expected a matrix');
    expect(subquery.value.series[0]?.histograms?.map((x) => x?.count)).toEqual([16, 20]);
    const ranged = evaluateRange(
      store(),
      parseExpr('latency or label_replace(gauge, "job", "web", "", "")'),
      4 * m,
      5 * m,
      m,
    );
    expect(ranged.value.series.map((s) => s.histograms?.map((x) => x?.count))).toEqual([undefined, [16, 20]]);
  });

  it('gives count, sum, mean and spread of each histogram, and nothing for floats', () => {
    expect(vector('histogram_count(latency)').samples.map((s) => [s.labels, s.value])).toEqual([
      [{ job: 'api' }, 20],
    ]);
    expect(vector('histogram_sum(latency)').samples[0]?.value).toBe(50);
    expect(vector('histogram_avg(latency)').samples[0]?.value).toBe(2.5);
    expect(vector('histogram_count(gauge)').samples).toEqual([]);
    // Buckets (0.5,1], (1,2], (2,4] hold 5, 10, 5: geometric midpoints sqrt(0.5), sqrt(2), sqrt(8) around 2.5.
    const midpoints = [Math.SQRT1_2, Math.SQRT2, Math.sqrt(8)];
    const variance =
      (5 * (midpoints[0]! - 2.5) ** 2 + 10 * (midpoints[1]! - 2.5) ** 2 + 5 * (midpoints[2]! - 2.5) ** 2) /
      20;
    expect(vector('histogram_stdvar(latency)').samples[0]?.value).toBeCloseTo(variance, 12);
    expect(vector('histogram_stddev(latency)').samples[0]?.value).toBeCloseTo(Math.sqrt(variance), 12);
  });

  it('interpolates quantiles and fractions exponentially in exponential buckets', () => {
    // The median is the middle of (1,2] on a log scale: 2^0.5.
    expect(vector('histogram_quantile(0.5, latency)').samples[0]?.value).toBeCloseTo(Math.SQRT2, 12);
    expect(vector('histogram_fraction(0, 2, latency)').samples[0]?.value).toBe(0.75);
    expect(vector('histogram_fraction(0, 1.4142135623730951, latency)').samples[0]?.value).toBeCloseTo(
      0.5,
      12,
    );
  });

  it('warns and evaluates neither when classic buckets and a native histogram share their labels', () => {
    const s = new SampleStore();
    s.appendHistogram({ __name__: 'x' }, 0, h('{{schema:0 count:4 sum:5 buckets:[1 2 1]}}'));
    s.append({ __name__: 'x', le: '1' }, 0, 2);
    s.append({ __name__: 'x', le: '+Inf' }, 0, 3);
    const result = evaluateInstant(s, parseExpr('histogram_quantile(0.8, x)'), 0);
    expect(result.value).toMatchObject({ samples: [] });
    expect(result.warnings).toEqual([
      'PromQL warning: vector contains a mix of classic and native histograms for metric name "x"',
    ]);
  });

  it('tells when a quantile falls past the buckets because of NaN observations', () => {
    const s = new SampleStore();
    s.appendHistogram(
      { __name__: 'with_nan' },
      0,
      new FloatHistogram({
        count: 3,
        sum: Number.NaN,
        positiveSpans: [{ offset: 0, length: 1 }],
        positiveBuckets: [1],
      }),
    );
    const result = evaluateInstant(s, parseExpr('histogram_quantile(0.9, with_nan)'), 0);
    expect(result.value).toMatchObject({ samples: [{ value: Number.NaN }] });
    expect(result.infos).toEqual([
      'PromQL info: input to histogram_quantile has NaN observations, result is NaN for metric name "with_nan"',
    ]);
  });

  it('passes histograms through last_over_time and unary minus, and float functions skip them', () => {
    expect(vector('last_over_time(latency[5m])').samples[0]?.histogram?.count).toBe(20);
    const negated = vector('-latency').samples[0]?.histogram;
    expect([negated?.count, negated?.counterResetHint]).toEqual([-20, 'gauge']);
    expect(vector('latency').samples[0]?.histogram?.count).toBe(20);
    expect(vector('abs(latency)').samples).toEqual([]);
    expect(vector('count_over_time(latency[5m])').samples[0]?.value).toBe(5);
  });

  it('takes the rate of a histogram counter bucket by bucket, extrapolated as for floats, as a gauge histogram', () => {
    // Samples at 1m..5m in (0, 5m]: an increase of 16 over 4 minutes, extrapolated back to where the count
    // would have been zero (1 minute earlier), over 300 s.
    const rate = vector('rate(latency[5m])').samples[0]?.histogram;
    expect(rate?.count).toBeCloseTo(20 / 300, 12);
    expect(rate?.positiveBuckets.map((b) => b * 300)).toEqual([5, 10, 5].map((b) => expect.closeTo(b, 9)));
    expect(rate?.counterResetHint).toBe('gauge');
    expect(vector('rate(latency[5m])').infos).toEqual([]);
    expect(vector('histogram_count(increase(latency[5m]))').samples[0]?.value).toBeCloseTo(20, 9);
  });

  it('gives nothing for a window mixing floats and histograms, with the warning Prometheus gives', () => {
    const s = store();
    s.append({ __name__: 'latency', job: 'api' }, 6 * m, 7);
    const result = evaluateInstant(s, parseExpr('rate(latency[3m])'), 6 * m);
    expect(result.value).toMatchObject({ samples: [] });
    expect(result.warnings).toEqual([
      'PromQL warning: encountered a mix of histograms and floats for metric name "latency"',
    ]);
  });

  it('sums histograms per group, ignores them in min and max with an info, and refuses a mix in sum', () => {
    const s = store();
    s.appendHistogram(
      { __name__: 'latency', job: 'web' },
      5 * m,
      h('{{schema:0 count:2 sum:3 buckets:[1 1]}}'),
    );
    const run = (q: string) => evaluateInstant(s, parseExpr(q), 5 * m);
    const sum = run('sum(latency)').value;
    if (sum.type !== 'vector') throw new Error('expected a vector');
    expect([sum.samples[0]?.histogram?.count, sum.samples[0]?.histogram?.positiveBuckets]).toEqual([
      22,
      [6, 11, 5],
    ]);
    expect(run('count(latency)').value).toMatchObject({ samples: [{ value: 2 }] });
    const max = run('max(latency)');
    expect(max.value).toMatchObject({ samples: [] });
    expect(max.infos).toEqual(['PromQL info: ignored histogram in max aggregation']);
    const mixed = run('sum({job="api"})');
    expect(mixed.value).toMatchObject({ samples: [] });
    expect(mixed.warnings).toEqual([
      'PromQL warning: encountered a mix of histograms and floats for aggregation',
    ]);
  });

  it('scales histograms by scalars, subtracts them as gauges, and drops what a histogram cannot do with an info', () => {
    expect(vector('latency * 2').samples[0]?.histogram?.count).toBe(40);
    expect(vector('latency / 4').samples[0]?.histogram?.sum).toBe(12.5);
    const diff = vector('latency - latency offset 1m').samples[0]?.histogram;
    expect([diff?.count, diff?.positiveBuckets, diff?.counterResetHint]).toEqual([4, [1, 2, 1], 'gauge']);
    expect(vector('latency == latency').samples).toHaveLength(1);
    const added = vector('latency + 1');
    expect(added.samples).toEqual([]);
    expect(added.infos).toEqual([
      'PromQL info: incompatible sample types encountered for binary operator "+": histogram + float',
    ]);
    expect(vector('latency > bool 1').samples).toEqual([]);
  });

  it('trims histograms at a value, keeping the name, and recomputes count and sum from what is left', () => {
    // At 5m: buckets (0.5,1]: 5, (1,2]: 10, (2,4]: 5.
    const below = vector('latency </ 2').samples[0];
    expect(below?.labels).toEqual({ __name__: 'latency', job: 'api' });
    expect([below?.histogram?.count, below?.histogram?.positiveBuckets]).toEqual([15, [5, 10]]);
    expect(below?.histogram?.sum).toBeCloseTo(5 * Math.sqrt(0.5) + 10 * Math.sqrt(2), 12);
    const above = vector('latency >/ 3').samples[0]?.histogram;
    // Exponential interpolation: the share of (2,4] above 3 is log2(4/3) / log2(4/2) of its 5 observations.
    expect(above?.count).toBeCloseTo(5 * Math.log2(4 / 3), 12);
    expect(vector('histogram_count(latency </ 2)').samples[0]?.value).toBe(15);
    const floats = vector('gauge </ 1');
    expect(floats.samples).toEqual([]);
    expect(floats.infos).toEqual([
      'PromQL info: incompatible sample types encountered for binary operator "</": float </ float',
    ]);
    expect(() => evaluateInstant(store(), parseExpr('1 </ 2'), 0)).toThrow(
      'operator "</" not allowed for Scalar operations',
    );
  });
});
