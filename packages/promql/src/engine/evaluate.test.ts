import { describe, expect, it } from 'vitest';
import { parseSeriesDescription } from '../conformance/series-description.ts';
import { PromqlError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { isStaleNaN } from '../storage/queryable.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

const m = 60_000;

/** A store from `.test`-style series lines, the first sample at 0 and one every `stepMs`. */
function load(stepMs: number, text: string): SampleStore {
  const store = new SampleStore();
  for (const line of text.trim().split('\n')) {
    const series = parseSeriesDescription(line.trim());
    series.values.forEach((v, i) => {
      if (v.kind !== 'float') return;
      if (isStaleNaN(v.value)) store.appendStaleMarker(series.labels, i * stepMs);
      else store.append(series.labels, i * stepMs, v.value);
    });
  }
  return store;
}

function vectorAt(store: SampleStore, query: string, timeMs: number): Record<string, number> {
  const { value } = evaluateInstant(store, parseExpr(query), timeMs);
  if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
  return Object.fromEntries(value.samples.map((s) => [JSON.stringify(s.labels), s.value]));
}

describe('instant selectors', () => {
  const store = load(m, 'up{job="a"} 0 1 2\nflaky{job="a"} 1 2 stale 4');

  it('take the newest sample in the left-open lookback window', () => {
    expect(vectorAt(store, 'up', 2 * m + 299_999)).toEqual({ '{"__name__":"up","job":"a"}': 2 });
    expect(vectorAt(store, 'up', 2 * m + 300_000)).toEqual({});
  });

  it('end a series at a staleness marker and resume at the next sample', () => {
    expect(vectorAt(store, 'flaky', 2 * m + 30_000)).toEqual({});
    expect(vectorAt(store, 'flaky', 3 * m)).toEqual({ '{"__name__":"flaky","job":"a"}': 4 });
  });

  it('shift the lookup with offset and pin it with @', () => {
    expect(vectorAt(store, 'up offset 1m', 2 * m)).toEqual({ '{"__name__":"up","job":"a"}': 1 });
    expect(vectorAt(store, 'up @ 60', 100 * m)).toEqual({ '{"__name__":"up","job":"a"}': 1 });
  });

  it('resolve @ start() and @ end() to the range query bounds at every step', () => {
    const { value } = evaluateRange(store, parseExpr('up @ start() + up @ end()'), 0, 2 * m, m);
    expect(value.series).toHaveLength(1);
    expect([...value.series[0]!.values]).toEqual([2, 2, 2]);
  });
});

describe('range vectors and subqueries', () => {
  const store = load(m, 'up{job="a"} 0 1 2 3');

  it('return the samples of the left-open window for a range selector', () => {
    const { value } = evaluateInstant(store, parseExpr('up[2m]'), 3 * m);
    expect(value.type).toBe('matrix');
    if (value.type !== 'matrix') return;
    expect([...value.series[0]!.timestamps]).toEqual([2 * m, 3 * m]);
    expect([...value.series[0]!.values]).toEqual([2, 3]);
  });

  it('work in whole milliseconds, as Prometheus does', () => {
    const { value } = evaluateInstant(store, parseExpr('count_over_time(up[1m])'), 2 * m + 0.9);
    expect(value).toEqual({
      type: 'vector',
      timestampMs: 2 * m,
      samples: [{ labels: { job: 'a' }, value: 1 }],
    });
  });

  it('align subquery steps to absolute time, excluding the window start', () => {
    const { value } = evaluateInstant(store, parseExpr('up[2m:1m]'), 2 * m + 30_000);
    if (value.type !== 'matrix') throw new Error('expected a matrix');
    expect([...value.series[0]!.timestamps]).toEqual([m, 2 * m]);
    expect([...value.series[0]!.values]).toEqual([1, 2]);
  });

  it('feed subquery points to range functions', () => {
    expect(vectorAt(store, 'sum_over_time(up[3m:1m])', 3 * m)).toEqual({ '{"job":"a"}': 6 });
  });
});

describe('range queries', () => {
  it('return one series per label set, sorted by labels, with a point per step that has a value', () => {
    const store = load(m, 'up{job="b"} 5 _ _ _ _ _ _ 7\nup{job="a"} 1 2 3');
    const { value } = evaluateRange(store, parseExpr('up'), 0, 7 * m, m);
    expect(value.series.map((s) => s.labels.job)).toEqual(['a', 'b']);
    expect([...value.series[1]!.timestamps]).toEqual([0, m, 2 * m, 3 * m, 4 * m, 7 * m]);
  });

  it('give a scalar expression as one series without labels', () => {
    const { value } = evaluateRange(new SampleStore(), parseExpr('time() * 2'), 0, 2 * m, m);
    expect(value.series).toEqual([
      { labels: {}, timestamps: new Float64Array([0, m, 2 * m]), values: new Float64Array([0, 120, 240]) },
    ]);
  });

  it('refuse range-vector expressions', () => {
    expect(() => evaluateRange(new SampleStore(), parseExpr('up[5m]'), 0, m, m)).toThrow(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
  });

  it('merge series whose labels become equal once the names are dropped, as Prometheus 3 does', () => {
    const store = load(10 * m, 'metric_a 1 _\nmetric_b 3 4');
    const { value } = evaluateRange(store, parseExpr('-metric_a or -metric_b'), 0, 20 * m, 10 * m);
    expect(value.series).toEqual([
      { labels: {}, timestamps: new Float64Array([0, 10 * m]), values: new Float64Array([-1, -4]) },
    ]);
  });
});

describe('metric names', () => {
  const store = load(5 * m, 'metric_total{env="1"} 0 60 120');

  it('are kept by selectors, comparisons and last_over_time, and dropped by arithmetic and rate', () => {
    expect(vectorAt(store, 'metric_total <= 1000', 10 * m)).toEqual({
      '{"__name__":"metric_total","env":"1"}': 120,
    });
    expect(vectorAt(store, 'last_over_time(metric_total[10m])', 10 * m)).toEqual({
      '{"__name__":"metric_total","env":"1"}': 120,
    });
    expect(vectorAt(store, 'metric_total * 2', 10 * m)).toEqual({ '{"env":"1"}': 240 });
    expect(vectorAt(store, 'rate(metric_total[10m])', 10 * m)).toEqual({ '{"env":"1"}': 0.2 });
  });

  it('can be kept through label_replace on __name__', () => {
    expect(
      vectorAt(
        store,
        'label_replace(rate(metric_total[10m]), "__name__", "r_$1", "__name__", "(.+)")',
        10 * m,
      ),
    ).toEqual({ '{"__name__":"r_metric_total","env":"1"}': 0.2 });
  });
});

describe('errors and limits', () => {
  it('stop with PROMQL_TIMEOUT once the deadline has passed', () => {
    try {
      evaluateInstant(new SampleStore(), parseExpr('vector(1)'), 0, { timeoutMs: -1 });
      expect.unreachable();
    } catch (e) {
      expect((e as PromqlError).code).toBe('PROMQL_TIMEOUT');
    }
  });

  it('stop with PROMQL_TOO_MANY_SAMPLES past maxSamples', () => {
    const store = load(m, 'up 1 2 3 4');
    expect(() => evaluateInstant(store, parseExpr('up[10m]'), 4 * m, { maxSamples: 2 })).toThrow(
      'query processing would load too many samples',
    );
  });

  it('refuse step grids too large to hold with PROMQL_TOO_MANY_SAMPLES instead of failing to allocate', () => {
    const store = load(m, 'up 1 2 3 4');
    const codeOf = (run: () => unknown): string | undefined => {
      try {
        run();
        return undefined;
      } catch (e) {
        return e instanceof PromqlError ? e.code : `not a PromqlError: ${String(e)}`;
      }
    };
    expect(codeOf(() => evaluateRange(store, parseExpr('up'), 0, 1e15, 1))).toBe('PROMQL_TOO_MANY_SAMPLES');
    expect(codeOf(() => evaluateInstant(store, parseExpr('max_over_time(up[100y:1ms])'), 4 * m))).toBe(
      'PROMQL_TOO_MANY_SAMPLES',
    );
    expect(codeOf(() => evaluateRange(store, parseExpr('up'), 0, 4 * m, 1000))).toBeUndefined();
  });

  it('report an expression tree too deep for the stack as a PromqlError', () => {
    let expr: Expr = parseExpr('up');
    for (let i = 0; i < 200_000; i++) expr = { type: 'unary', op: '-', expr, pos: expr.pos };
    const store = load(m, 'up 1');
    expect(() => evaluateInstant(store, expr, 0)).toThrow(PromqlError);
  });

  it('honour a custom lookback delta', () => {
    const store = load(m, 'up 1');
    expect(vectorAt(store, 'up', 90_000)).toEqual({ '{"__name__":"up"}': 1 });
    const { value } = evaluateInstant(store, parseExpr('up'), 90_000, { lookbackDeltaMs: 60_000 });
    expect(value).toEqual({ type: 'vector', timestampMs: 90_000, samples: [] });
  });
});

describe('durations with step() and range()', () => {
  const store = load(1000, 'x 0+1x100');

  it('take the query step and range: both 0 for an instant query', () => {
    const { value } = evaluateRange(store, parseExpr('count_over_time(x[step()])'), 50_000, 60_000, 10_000);
    expect([...value.series[0]!.values]).toEqual([10, 10]);
    const offset = evaluateRange(store, parseExpr('x offset min_of(range(), 8s)'), 50_000, 60_000, 5_000);
    expect([...offset.value.series[0]!.values]).toEqual([42, 47, 52]);
    expect(vectorAt(store, 'x offset range()', 50_000)).toEqual({ '{"__name__":"x"}': 50 });
  });

  it('refuse a range that resolves to nothing', () => {
    try {
      evaluateInstant(store, parseExpr('x[step()]'), 50_000);
      expect.unreachable();
    } catch (e) {
      expect((e as PromqlError).code).toBe('PROMQL_EVAL');
      expect((e as PromqlError).message).toContain('duration must be greater than 0');
    }
  });
});
