import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError, type PromqlErrorCode } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { promqlExpression } from '../parser/testing/expression-arbitrary.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';
import type { InstantValue, MatrixValue } from './types.ts';

const s = 1000;
const m = 60_000;

/** Half an hour of 15 s samples of 20 series in four jobs, with classic histogram buckets. */
function limitsStore(): SampleStore {
  const store = new SampleStore();
  for (let t = 0; t <= 30 * m; t += 15 * s) {
    for (let i = 0; i < 20; i++) {
      store.append({ __name__: 'x', job: `j${i % 4}`, a: `${i}`, b: `${i % 3}` }, t, (t / s) * (i + 1));
    }
    for (const le of ['0.1', '1', '+Inf']) store.append({ __name__: 'b_bucket', le }, t, t / s / Number(le));
  }
  return store;
}

/** Atoms that reach selectors, range functions, subqueries, label functions and the aggregations. */
const atoms = [
  'x',
  'x{job="j1"}',
  'rate(x[1m])',
  'x[5m]',
  'x[10m:10s]',
  'max_over_time(x[30m:1s])',
  'sum by (job) (x)',
  'topk(3, x)',
  'quantile(0.5, x)',
  'count_values("v", x)',
  'label_replace(x, "a", "$1$1", "a", "(.*)")',
  'histogram_quantile(0.9, b_bucket)',
  'vector(1)',
  'time()',
  '2',
  'absent(missing)',
];

const knownCodes = new Set<PromqlErrorCode>([
  'PROMQL_EVAL',
  'PROMQL_TYPE',
  'PROMQL_UNSUPPORTED',
  'PROMQL_TIMEOUT',
  'PROMQL_TOO_MANY_SAMPLES',
]);

/** The samples a result holds, as the limit counts them: vector elements, matrix points, one scalar. */
function samplesIn(value: InstantValue | MatrixValue): number {
  switch (value.type) {
    case 'scalar':
      return 1;
    case 'string':
      return 0;
    case 'vector':
      return value.samples.length;
    case 'matrix':
      return value.series.reduce((n, series) => n + series.timestamps.length, 0);
  }
}

/** Parses `text`; `undefined` for text the parser rejects (the parser has its own property tests). */
function parsed(text: string): Expr | undefined {
  try {
    return parseExpr(text);
  } catch (e) {
    if (e instanceof PromqlError) return undefined;
    throw e;
  }
}

const store = limitsStore();

describe('the engine under random limits', () => {
  it('returns at most maxSamples samples or fails with a PromqlError of a known code', () => {
    const query = fc.record({
      text: promqlExpression(atoms, { subqueries: true }),
      atMs: fc.integer({ min: 0, max: 40 * m }),
      stepMs: fc.constantFrom(1 * s, 7 * s, 15 * s, 60 * s),
      steps: fc.integer({ min: 0, max: 300 }),
      maxSamples: fc.integer({ min: 1, max: 5_000 }),
      range: fc.boolean(),
    });
    fc.assert(
      fc.property(query, ({ text, atMs, stepMs, steps, maxSamples, range }) => {
        const expr = parsed(text);
        if (expr === undefined) return;
        const options = { maxSamples, timeoutMs: 5_000 };
        try {
          const { value } = range
            ? evaluateRange(store, expr, atMs, atMs + steps * stepMs, stepMs, options)
            : evaluateInstant(store, expr, atMs, options);
          expect(samplesIn(value)).toBeLessThanOrEqual(maxSamples);
        } catch (e) {
          if (!(e instanceof PromqlError)) throw e;
          expect(knownCodes).toContain(e.code);
        }
      }),
      { numRuns: 300 },
    );
  });
});
