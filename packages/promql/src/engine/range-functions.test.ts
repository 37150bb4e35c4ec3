import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSeriesDescription } from '../conformance/series-description.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

const m = 60_000;

function load(stepMs: number, text: string): SampleStore {
  const store = new SampleStore();
  for (const line of text.trim().split('\n')) {
    const series = parseSeriesDescription(line.trim());
    series.values.forEach((v, i) => {
      if (v.kind === 'float') store.append(series.labels, i * stepMs, v.value);
    });
  }
  return store;
}

/** The single value of an instant query, or undefined for an empty vector. */
function valueAt(store: SampleStore, query: string, timeMs: number): number | undefined {
  const { value } = evaluateInstant(store, parseExpr(query, { experimentalFunctions: true }), timeMs);
  if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
  expect(value.samples.length).toBeLessThanOrEqual(1);
  return value.samples[0]?.value;
}

describe('rate, increase and delta', () => {
  const store = load(m, 'c_total 0 60 120 180 240 300\nr_total 10 20 5 15');

  it('extrapolate to the window boundary when the first sample is close to it', () => {
    // Window (0s, 300s]: samples 60..300 over 240s; 60s to the start is below 1.1 × the 60s spacing.
    expect(valueAt(store, 'increase(c_total[5m])', 5 * m)).toBeCloseTo(300, 10);
    expect(valueAt(store, 'rate(c_total[5m])', 5 * m)).toBeCloseTo(1, 10);
    expect(valueAt(store, 'delta(c_total[5m])', 5 * m)).toBeCloseTo(300, 10);
  });

  it('add the value before a counter reset', () => {
    // 20 → 5 → 15 over (0s, 180s]: raw increase 15, extrapolated by (120 + 60) / 120.
    expect(valueAt(store, 'increase(r_total[3m])', 3 * m)).toBeCloseTo(22.5, 10);
    expect(valueAt(store, 'resets(r_total[5m])', 3 * m)).toBe(1);
    expect(valueAt(store, 'changes(r_total[5m])', 3 * m)).toBe(3);
  });

  it('do not extrapolate a counter below zero', () => {
    // Window (0s, 180s] of 2, 4, 6 at 60..180s: zero is reached 60s before the first sample.
    const s = load(m, 'z_total 0 2 4 6');
    expect(valueAt(s, 'increase(z_total[3m])', 3 * m)).toBeCloseTo(6, 10);
  });

  it('need two samples in the window', () => {
    expect(valueAt(store, 'rate(c_total[1m])', 5 * m)).toBeUndefined();
  });

  it('flag names that do not look like counters with Prometheus info text', () => {
    const s = load(m, 'requests 1 2 3');
    const result = evaluateInstant(s, parseExpr('rate(requests[5m])'), 2 * m);
    expect(result.infos).toEqual([
      'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests"',
    ]);
    expect(evaluateInstant(store, parseExpr('rate(c_total[5m])'), 5 * m).infos).toEqual([]);
  });
});

describe('irate and idelta', () => {
  const store = load(m, 'r_total 10 20 5 15');

  it('use the last two samples, treating a drop as a reset for irate only', () => {
    expect(valueAt(store, 'irate(r_total[3m])', 3 * m)).toBeCloseTo(10 / 60, 12);
    expect(valueAt(store, 'idelta(r_total[3m])', 3 * m)).toBe(10);
    expect(valueAt(store, 'irate(r_total[3m])', 2 * m)).toBeCloseTo(5 / 60, 12);
    expect(valueAt(store, 'idelta(r_total[3m])', 2 * m)).toBe(-15);
  });
});

describe('*_over_time', () => {
  const store = load(m, 'g 1 4 2 8');
  const at = 3 * m;

  it('aggregate the samples of the window', () => {
    expect(valueAt(store, 'avg_over_time(g[5m])', at)).toBe(3.75);
    expect(valueAt(store, 'sum_over_time(g[5m])', at)).toBe(15);
    expect(valueAt(store, 'min_over_time(g[5m])', at)).toBe(1);
    expect(valueAt(store, 'max_over_time(g[5m])', at)).toBe(8);
    expect(valueAt(store, 'count_over_time(g[5m])', at)).toBe(4);
    expect(valueAt(store, 'last_over_time(g[5m])', at)).toBe(8);
    expect(valueAt(store, 'first_over_time(g[5m])', at)).toBe(1);
    expect(valueAt(store, 'present_over_time(g[5m])', at)).toBe(1);
  });

  it('compute spread statistics like Prometheus', () => {
    expect(valueAt(store, 'stdvar_over_time(g[5m])', at)).toBeCloseTo(7.1875, 12);
    expect(valueAt(store, 'stddev_over_time(g[5m])', at)).toBeCloseTo(Math.sqrt(7.1875), 12);
    expect(valueAt(store, 'quantile_over_time(0.5, g[5m])', at)).toBe(3);
    expect(valueAt(store, 'mad_over_time(g[5m])', at)).toBe(1.5);
  });

  it('give the deviation from the median with mad_over_time, NaN when a sample is NaN', () => {
    const odd = load(m, 'one 7\ngap 1 NaN 3\nflat 2 2 2');
    expect(valueAt(odd, 'mad_over_time(one[5m])', 0)).toBe(0);
    expect(valueAt(odd, 'mad_over_time(gap[5m])', 2 * m)).toBeNaN();
    expect(valueAt(odd, 'mad_over_time(flat[5m])', 2 * m)).toBe(0);
    expect(valueAt(odd, 'mad_over_time(one[5m])', 10 * m)).toBeUndefined();
  });

  it('give the time of the first, last, latest largest and latest smallest sample with ts_of_*', () => {
    const ties = load(m, 'tie 3 1 3 1\ngap NaN 2 NaN 1');
    expect(valueAt(ties, 'ts_of_first_over_time(tie[5m])', at)).toBe(0);
    expect(valueAt(ties, 'ts_of_first_over_time(tie[2m])', at)).toBe(120);
    expect(valueAt(ties, 'ts_of_last_over_time(tie[5m])', at)).toBe(180);
    expect(valueAt(ties, 'ts_of_last_over_time(tie[5m])', 4 * m)).toBe(180);
    expect(valueAt(ties, 'ts_of_max_over_time(tie[5m])', at)).toBe(120);
    expect(valueAt(ties, 'ts_of_min_over_time(tie[5m])', at)).toBe(180);
    // A NaN is replaced by the next number and never replaces one, as in max_over_time.
    expect(valueAt(ties, 'ts_of_max_over_time(gap[5m])', at)).toBe(60);
    expect(valueAt(ties, 'ts_of_min_over_time(gap[5m])', at)).toBe(180);
    expect(valueAt(ties, 'ts_of_max_over_time(tie[5m] offset 10m)', at)).toBeUndefined();
  });

  it('drop the metric name with ts_of_*, as with the other *_over_time functions', () => {
    const { value } = evaluateInstant(
      store,
      parseExpr('ts_of_last_over_time(g[5m])', { experimentalFunctions: true }),
      at,
    );
    expect(value.type === 'vector' && value.samples[0]?.labels).toEqual({});
  });

  it('warn about a quantile outside [0, 1] and return ±Inf', () => {
    const result = evaluateInstant(store, parseExpr('quantile_over_time(2, g[5m])'), at);
    expect(result.warnings).toEqual(['PromQL warning: quantile value should be between 0 and 1, got 2']);
    expect(result.value.type === 'vector' && result.value.samples[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('report absence over the window', () => {
    expect(valueAt(store, 'absent_over_time(nope{job="x"}[5m])', at)).toBe(1);
    expect(valueAt(store, 'absent_over_time(g[5m])', at)).toBeUndefined();
  });
});

describe('trends', () => {
  const store = load(m, 'lin 0 1 2\ng 1 4 2 8');

  it('fit a least-squares line for deriv and predict_linear', () => {
    expect(valueAt(store, 'deriv(lin[3m])', 2 * m)).toBeCloseTo(1 / 60, 12);
    expect(valueAt(store, 'predict_linear(lin[3m], 60)', 2 * m)).toBeCloseTo(3, 10);
  });

  it('smooth with double_exponential_smoothing and reject factors outside (0, 1)', () => {
    expect(valueAt(store, 'double_exponential_smoothing(g[5m], 0.5, 0.5)', 3 * m)).toBe(7.125);
    expect(() => valueAt(store, 'double_exponential_smoothing(g[5m], 1, 0.5)', 3 * m)).toThrow(
      'invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000',
    );
    expect(() => valueAt(store, 'double_exponential_smoothing(g[5m], 0.5, Inf)', 3 * m)).toThrow(
      'invalid trend factor. Expected: 0 < tf < 1, got: +Inf',
    );
    // NaN factors pass Prometheus's range check and smooth to NaN.
    expect(valueAt(store, 'double_exponential_smoothing(g[5m], NaN, 0.5)', 3 * m)).toBeNaN();
    // One sample is not enough to smooth.
    expect(valueAt(store, 'double_exponential_smoothing(g[1m], 0.5, 0.5)', 3 * m)).toBeUndefined();
  });
});

describe('range evaluation', () => {
  it('gives at every step what an instant query at that time gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(
          'rate(c_total[3m])',
          'increase(c_total[150s])',
          'max_over_time(c_total[2m])',
          'sum(c_total) * 2',
          'c_total offset 1m',
          'avg_over_time(c_total[5m:30s])',
        ),
        (increments, at, query) => {
          const store = new SampleStore();
          let v = 0;
          increments.forEach((inc, i) => {
            v = inc % 7 === 0 ? inc : v + inc;
            store.append({ __name__: 'c_total' }, i * 30_000, v);
          });
          const t = at * 30_000;
          const expr = parseExpr(query);
          const instant = evaluateInstant(store, expr, t).value;
          const range = evaluateRange(store, expr, t - m, t + m, m).value;
          const point = range.series.find((s) => s.timestamps.includes(t));
          const expected = instant.type === 'vector' ? instant.samples[0]?.value : undefined;
          const got = point === undefined ? undefined : point.values[point.timestamps.indexOf(t)];
          if (expected === undefined || got === undefined) return expected === got;
          return Object.is(expected, got) || Math.abs(expected - got) <= 1e-9 * Math.abs(expected);
        },
      ),
    );
  });
});
