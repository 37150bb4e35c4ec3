import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import type { ValueType } from '../parser/ast.ts';
import { FUNCTIONS } from '../parser/functions.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

const s = 1000;
const m = 60_000;

/**
 * Ten minutes of 15 s samples with what makes evaluation branch: counter resets, NaN, ±Inf, a staleness
 * marker, gaps, classic histogram buckets (one with a bad `le`), an info metric, a name-only series.
 */
function fuzzStore(): SampleStore {
  const store = new SampleStore();
  const gaugeValues = [1, -2, Number.NaN, 1e308, Number.POSITIVE_INFINITY, 0, -0, Number.NEGATIVE_INFINITY];
  for (let k = 0; k <= 40; k++) {
    const t = k * 15 * s;
    store.append({ __name__: 'http_requests_total', job: 'api', instance: '0' }, t, (k % 13) * 10);
    store.append({ __name__: 'http_requests_total', job: 'web', instance: '1' }, t, k * 3.5);
    if (k === 20) store.appendStaleMarker({ __name__: 'gauge', job: 'api' }, t);
    else store.append({ __name__: 'gauge', job: 'api' }, t, gaugeValues[k % gaugeValues.length]!);
    if (k % 7 !== 3) store.append({ __name__: 'gauge', job: 'web', route: '/a' }, t, Math.sin(k) * 100);
    for (const [le, share] of [
      ['0.1', 0.2],
      ['1', 0.7],
      ['+Inf', 1],
      ['bad', 0.5],
    ] as const) {
      store.append({ __name__: 'latency_seconds_bucket', job: 'api', le }, t, Math.floor(k * 10 * share));
    }
    store.append({ __name__: 'target_info', job: 'api', instance: '0', version: 'v1' }, t, 1);
    store.append({ __name__: 'up' }, t, k % 2);
  }
  return store;
}

const selectors = [
  'http_requests_total',
  'http_requests_total{job="api"}',
  'gauge',
  'gauge{job=~"a.*|w.b"}',
  'latency_seconds_bucket',
  'target_info',
  'up',
  '{__name__=~".+_total|gauge"}',
  'missing_metric{job!="x"}',
  'gauge offset 1m',
  'gauge @ 300',
  'up @ end()',
  'http_requests_total offset -2m',
];
const ranges = ['[1m]', '[5m]', '[30s]', '[10m] offset 1m', '[2m] @ start()'];
const scalars = ['0', '1', '-1', '0.5', '2', 'NaN', 'Inf', '-Inf', '1e308', '0.99', '100', 'time()', 'pi()'];
const strings = ['"job"', '"le"', '"__name__"', '"x"', '"(.*)"', '"("', '"$1-$2"', '""', '"a.b"', '"0.1"'];
const aggregations = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar'];
const grouping = ['', ' by (job)', ' without (instance)', ' by (le)', ' by ()', ' without (__name__)'];
const arithmetic = ['+', '-', '*', '/', '%', '^', 'atan2'];
const comparisons = ['==', '!=', '>', '<', '>=', '<='];
const vectorMatching = [
  '',
  ' on (job)',
  ' ignoring (instance)',
  ' on (job) group_left',
  ' ignoring (le) group_right (job)',
];

type Generated = Record<'vector' | 'scalar' | 'matrix', string>;

/** Mostly well-typed expressions built from the function table, so evaluation gets past the type checker. */
const generated = fc.letrec<Generated>((tie) => {
  const vector = () => tie('vector');
  const scalar = () => tie('scalar');
  const matrix = () => tie('matrix');
  const argument = (type: ValueType): fc.Arbitrary<string> =>
    type === 'vector'
      ? vector()
      : type === 'scalar'
        ? scalar()
        : type === 'matrix'
          ? matrix()
          : fc.constantFrom(...strings);
  const call = (returns: ValueType): fc.Arbitrary<string> =>
    fc.constantFrom(...[...FUNCTIONS.values()].filter((f) => f.returnType === returns)).chain((f) => {
      const last = f.argTypes.length - 1;
      const extra = f.variadic === 0 || last < 0 ? 0 : f.variadic < 0 ? 2 : f.variadic - 1;
      return fc
        .tuple(
          fc.nat({ max: extra + 1 }),
          fc.tuple(...f.argTypes.map(argument)),
          fc.array(argument(f.argTypes[last] ?? 'scalar'), { maxLength: extra }),
        )
        .map(([drop, args, more]) => {
          // Variadic functions may leave out their optional last argument.
          const all = f.variadic !== 0 && drop === 0 ? args.slice(0, -1) : [...args, ...more];
          return `${f.name}(${all.join(', ')})`;
        });
    });
  return {
    vector: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...selectors),
      call('vector'),
      fc
        .tuple(fc.constantFrom(...aggregations), fc.constantFrom(...grouping), vector())
        .map(([op, by, e]) => `${op}${by} (${e})`),
      fc
        .tuple(fc.constantFrom('topk', 'bottomk', 'quantile', 'limitk', 'limit_ratio'), scalar(), vector())
        .map(([op, p, e]) => `${op}(${p}, ${e})`),
      vector().map((e) => `count_values("value", ${e})`),
      fc
        .tuple(
          vector(),
          fc.constantFrom(...arithmetic, ...comparisons, '> bool', 'and', 'or', 'unless'),
          fc.constantFrom(...vectorMatching),
          vector(),
        )
        .map(([a, op, on, b]) => `${a} ${op}${on} ${b}`),
      fc
        .tuple(vector(), fc.constantFrom(...arithmetic, ...comparisons, '== bool'), scalar())
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      vector().map((e) => `-(${e})`),
    ),
    scalar: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...scalars),
      call('scalar'),
      fc
        .tuple(scalar(), fc.constantFrom(...arithmetic, '> bool'), scalar())
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
    ),
    matrix: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .tuple(fc.constantFrom(...selectors.filter((x) => !/offset|@/.test(x))), fc.constantFrom(...ranges))
        .map(([v, r]) => v + r),
      fc
        .tuple(vector(), fc.constantFrom('[5m:1m]', '[2m:]', '[10m:45s] offset 30s', '[1m:7s] @ 120'))
        .map(([e, r]) => `(${e})${r}`),
    ),
  };
});

/** Cuts, duplicates or replaces one slice of a generated expression. */
const mutated = fc
  .tuple(
    generated.vector,
    fc.nat(),
    fc.nat(),
    fc.constantFrom('', '(', ')', '[1m]', ' offset 1m', ' @ 60', ',', '0', 'NaN', ' by (job) ', '-', ' or '),
  )
  .map(([text, a, b, insert]) => {
    const i = a % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(Math.min(text.length, i + (b % 6)));
  });

const store = fuzzStore();
const limits = { timeoutMs: 2_000, maxSamples: 1_000_000 };
// The generator draws from the whole function table, experimental functions included.
const experimental = { experimentalFunctions: true };

/** Parses and evaluates `text` as an instant and a range query; anything thrown must be a PromqlError. */
function evaluatesOrThrowsPromqlError(text: string, atMs: number, stepMs: number, steps: number): void {
  for (const run of [
    () => evaluateInstant(store, parseExpr(text, experimental), atMs, limits),
    () => evaluateRange(store, parseExpr(text, experimental), atMs, atMs + stepMs * steps, stepMs, limits),
  ]) {
    try {
      run();
    } catch (e) {
      if (!(e instanceof PromqlError)) throw e;
      expect(e.message.length).toBeGreaterThan(0);
    }
  }
}

const times = fc.integer({ min: -5 * m, max: 15 * m });
const stepsMs = fc.constantFrom(1 * s, 15 * s, 60 * s, 7 * s);
const stepCounts = fc.integer({ min: 0, max: 30 });

describe('the engine on random expressions', () => {
  it('returns a value or throws a PromqlError for generated expressions, instant and range', () => {
    fc.assert(fc.property(generated.vector, times, stepsMs, stepCounts, evaluatesOrThrowsPromqlError), {
      numRuns: 400,
    });
  });

  it('returns a value or throws a PromqlError for generated scalar expressions', () => {
    fc.assert(fc.property(generated.scalar, times, stepsMs, stepCounts, evaluatesOrThrowsPromqlError), {
      numRuns: 150,
    });
  });

  it('returns a value or throws a PromqlError for mutated expressions', () => {
    fc.assert(fc.property(mutated, times, stepsMs, stepCounts, evaluatesOrThrowsPromqlError), {
      numRuns: 400,
    });
  });

  it('evaluates most generated expressions instead of rejecting them, so the property reaches the engine', () => {
    const samples = fc.sample(generated.vector, { numRuns: 200, seed: 7 });
    const parsed = samples.filter((text) => {
      try {
        parseExpr(text, experimental);
        return true;
      } catch {
        return false;
      }
    });
    expect(parsed.length).toBeGreaterThan(samples.length / 2);
  });
});
