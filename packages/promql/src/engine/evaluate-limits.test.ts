import { beforeAll, describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';
import type { EvaluateOptions } from './types.ts';

const s = 1000;
const m = 60_000;
const h = 60 * m;

/** The code of the PromqlError `run` throws; fails the test when it returns or throws anything else. */
function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof PromqlError) return e.code;
    throw e;
  }
  throw new Error('expected a PromqlError, but the query succeeded');
}

/** `levels` nested label_replace calls that each make the value of `a` four times longer. */
function nestedLabelReplace(inner: string, levels: number): string {
  let expr = inner;
  for (let i = 0; i < levels; i++) expr = `label_replace(${expr}, "a", "$1$1$1$1", "a", "(.*)")`;
  return expr;
}

// 2,000 series of one-minute samples over two hours: the size of the hardening issue's attacks, small
// enough to load once for every test here.
let store: SampleStore;
beforeAll(() => {
  store = new SampleStore();
  for (let i = 0; i < 2000; i++) {
    const labels = { __name__: `m${i % 20}`, a: `value-${i}`, job: `job-${i % 50}` };
    for (let t = 0; t <= 2 * h; t += m) store.append(labels, t, i + t / m);
  }
});

describe('the hardening issue attacks', () => {
  it('stop label_replace nested 8 deep over 2k series at the deadline', () => {
    const expr = parseExpr(nestedLabelReplace('{__name__=~".+"}', 8));
    expect(errorCode(() => evaluateInstant(store, expr, 2 * h, { timeoutMs: 50 }))).toBe('PROMQL_TIMEOUT');
  });

  it('stop a [1d:1s] subquery over 2k series at the sample limit', () => {
    const expr = parseExpr('max_over_time({__name__=~".+"}[1d:1s])');
    const options: EvaluateOptions = { maxSamples: 100_000, timeoutMs: 10_000 };
    expect(errorCode(() => evaluateInstant(store, expr, 2 * h, options))).toBe('PROMQL_TOO_MANY_SAMPLES');
  });

  it('refuse vector(1)[8h:1ms] at the sample limit before filling its 28.8M steps', () => {
    const options: EvaluateOptions = { maxSamples: 5_000_000, timeoutMs: 10_000 };
    expect(errorCode(() => evaluateInstant(store, parseExpr('vector(1)[8h:1ms]'), 8 * h, options))).toBe(
      'PROMQL_TOO_MANY_SAMPLES',
    );
  });

  it('stop a 24 h range query of every series at step 8s at the sample limit', () => {
    const options: EvaluateOptions = { maxSamples: 100_000, timeoutMs: 10_000 };
    expect(
      errorCode(() => evaluateRange(store, parseExpr('{__name__=~".+"}'), 0, 24 * h, 8 * s, options)),
    ).toBe('PROMQL_TOO_MANY_SAMPLES');
  });
});

describe('the deadline', () => {
  it('is noticed inside an aggregation that visits every series at every step', () => {
    const expr = parseExpr('count_values("v", {__name__=~".+"})');
    expect(errorCode(() => evaluateRange(store, expr, 0, 2 * h, 5 * s, { timeoutMs: 50 }))).toBe(
      'PROMQL_TIMEOUT',
    );
  });

  it('is noticed inside quantile over many series and steps', () => {
    const expr = parseExpr('quantile by (job) (0.9, {__name__=~".+"})');
    expect(errorCode(() => evaluateRange(store, expr, 0, 2 * h, 5 * s, { timeoutMs: 50 }))).toBe(
      'PROMQL_TIMEOUT',
    );
  });

  it('is noticed inside a subquery whose windows are long', () => {
    const expr = parseExpr('max_over_time(sum_over_time({__name__=~".+"}[1h])[1h:1s])');
    expect(errorCode(() => evaluateInstant(store, expr, 2 * h, { timeoutMs: 50 }))).toBe('PROMQL_TIMEOUT');
  });

  it('is noticed when the step grid has millions of steps and one series', () => {
    const expr = parseExpr('max_over_time((vector(1) * 2 + time())[8h:1ms])');
    expect(errorCode(() => evaluateInstant(store, expr, 8 * h, { timeoutMs: 50 }))).toBe('PROMQL_TIMEOUT');
  });
});

describe('the sample limit', () => {
  it('counts the samples a query holds at once, not all it ever produced', () => {
    // Each of the 10 sums holds 121 steps of one series; the selectors' 2,000 series are released once
    // summed, so the whole query never holds more than one selector's output and the sums.
    const sums = Array.from({ length: 10 }, (_, i) => `sum(m${i})`).join(' + ');
    const options: EvaluateOptions = { maxSamples: 20_000 };
    const { value } = evaluateRange(store, parseExpr(sums), 0, 2 * h, m, options);
    expect(value.series).toHaveLength(1);
    expect(value.series[0]!.values).toHaveLength(121);
  });

  it('fails a query whose output alone is over the limit', () => {
    // m0 has 100 series present at 121 steps: 12,100 samples.
    expect(errorCode(() => evaluateRange(store, parseExpr('m0'), 0, 2 * h, m, { maxSamples: 12_099 }))).toBe(
      'PROMQL_TOO_MANY_SAMPLES',
    );
    const { value } = evaluateRange(store, parseExpr('m0'), 0, 2 * h, m, { maxSamples: 12_100 });
    expect(value.series).toHaveLength(100);
  });

  it('counts what a range function reads while it runs', () => {
    // rate reads 11 points of each of 100 series, then holds one sample per series.
    const expr = parseExpr('rate(m0[10m])');
    expect(errorCode(() => evaluateInstant(store, expr, h, { maxSamples: 1_000 }))).toBe(
      'PROMQL_TOO_MANY_SAMPLES',
    );
    const { value } = evaluateInstant(store, expr, h, { maxSamples: 1_100 });
    expect(value.type === 'vector' && value.samples).toHaveLength(100);
  });
});
