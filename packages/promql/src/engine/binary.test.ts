import { describe, expect, it } from 'vitest';
import { parseSeriesDescription } from '../conformance/series-description.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

function load(text: string): SampleStore {
  const store = new SampleStore();
  for (const line of text.trim().split('\n')) {
    const series = parseSeriesDescription(line.trim());
    const first = series.values[0];
    if (first?.kind === 'float') store.append(series.labels, 0, first.value);
  }
  return store;
}

const store = load(`
  a{x="1", y="p"} 10
  a{x="2", y="q"} 20
  b{x="1"} 2
  b{x="2"} 4
  c{x="1", z="zz"} 3
`);

function vector(query: string): Record<string, number> {
  const { value } = evaluateInstant(store, parseExpr(query), 0);
  if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
  return Object.fromEntries(value.samples.map((s) => [JSON.stringify(s.labels), s.value]));
}

function scalar(query: string): number {
  const { value } = evaluateInstant(store, parseExpr(query), 0);
  if (value.type !== 'scalar') throw new Error(`expected a scalar, got ${value.type}`);
  return value.value;
}

describe('scalar operators', () => {
  it('follow Go float semantics', () => {
    expect(scalar('2 ^ 3')).toBe(8);
    expect(scalar('-7 % 3')).toBe(-1);
    expect(scalar('1 / 0')).toBe(Number.POSITIVE_INFINITY);
    expect(scalar('1 atan2 1')).toBeCloseTo(Math.PI / 4, 15);
    expect(scalar('1 ^ NaN')).toBe(1);
    expect(scalar('3 > bool 2')).toBe(1);
  });
});

describe('vector and scalar', () => {
  it('filter with comparisons, keeping the vector value and name, or test with bool', () => {
    expect(vector('a > 15')).toEqual({ '{"__name__":"a","x":"2","y":"q"}': 20 });
    expect(vector('15 < a')).toEqual({ '{"__name__":"a","x":"2","y":"q"}': 20 });
    expect(vector('a > bool 15')).toEqual({ '{"x":"1","y":"p"}': 0, '{"x":"2","y":"q"}': 1 });
  });

  it('compute arithmetic and drop the name', () => {
    expect(vector('100 - a')).toEqual({ '{"x":"1","y":"p"}': 90, '{"x":"2","y":"q"}': 80 });
  });
});

describe('vector matching', () => {
  it('keeps only the on() labels for one-to-one matching', () => {
    expect(vector('a / on(x) b')).toEqual({ '{"x":"1"}': 5, '{"x":"2"}': 5 });
  });

  it('removes the ignoring() labels for one-to-one matching', () => {
    expect(vector('a / ignoring(y) b')).toEqual({ '{"x":"1"}': 5, '{"x":"2"}': 5 });
  });

  it('copies group_left labels from the one side', () => {
    expect(vector('a * on(x) group_left(z) c')).toEqual({ '{"x":"1","y":"p","z":"zz"}': 30 });
  });

  it('keeps the many side for group_right', () => {
    expect(vector('c * on(x) group_right a')).toEqual({ '{"x":"1","y":"p"}': 30 });
  });

  it('reports duplicate series on the one side with Prometheus message', () => {
    expect(() => vector('a + on() b')).toThrow(
      'found duplicate series for the match group {} on the right hand-side of the operation: ' +
        '[{__name__="b", x="1"}, {__name__="b", x="2"}];many-to-many matching not allowed: ' +
        'matching labels must be unique on one side',
    );
  });

  it('requires group_left/group_right for many-to-one matches', () => {
    expect(() => vector('a + on() vector(1)')).toThrow(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
  });

  it('filters with vector comparisons, keeping the left-hand labels narrowed by on()', () => {
    expect(vector('a > ignoring(y) (b * 4)')).toEqual({
      '{"__name__":"a","x":"1"}': 10,
      '{"__name__":"a","x":"2"}': 20,
    });
    expect(vector('a > on(x) (b * 4)')).toEqual({ '{"x":"1"}': 10, '{"x":"2"}': 20 });
    expect(vector('a == bool on(x) (b * 5)')).toEqual({ '{"x":"1"}': 1, '{"x":"2"}': 1 });
  });
});

describe('set operators', () => {
  it('intersect, unite and subtract by matching labels', () => {
    expect(vector('a and on(x) b{x="1"}')).toEqual({ '{"__name__":"a","x":"1","y":"p"}': 10 });
    expect(vector('a unless on(x) b{x="1"}')).toEqual({ '{"__name__":"a","x":"2","y":"q"}': 20 });
    expect(Object.keys(vector('a or b'))).toHaveLength(4);
    expect(vector('b or on(x) a')).toEqual({ '{"__name__":"b","x":"1"}': 2, '{"__name__":"b","x":"2"}': 4 });
  });
});

describe('matching over time', () => {
  function loadSteps(text: string): SampleStore {
    const s = new SampleStore();
    for (const line of text.trim().split('\n')) {
      const series = parseSeriesDescription(line.trim());
      series.values.forEach((v, i) => {
        if (v.kind === 'float') s.append(series.labels, i * 60_000, v.value);
      });
    }
    return s;
  }
  const range = (s: SampleStore, q: string) =>
    evaluateRange(s, parseExpr(q), 0, 120_000, 60_000, { lookbackDeltaMs: 30_000 }).value.series.map((x) => ({
      labels: { ...x.labels },
      timestamps: [...x.timestamps],
      values: [...x.values],
    }));

  it('follows a one side whose series changes between steps', () => {
    const s = loadSteps(`
      a{x="1"} 10 20 30
      b{x="1", v="old"} 2 _ _
      b{x="1", v="new"} _ 4 5
    `);
    expect(range(s, 'a / on(x) b')).toEqual([
      { labels: { x: '1' }, timestamps: [0, 60_000, 120_000], values: [5, 5, 6] },
    ]);
  });

  it('accepts two left series of one match group at different steps and rejects them at the same step', () => {
    const apart = loadSteps(`
      a{x="1", y="p"} 10 _ _
      a{x="1", y="q"} _ 20 _
      b{x="1"} 2 2 2
    `);
    expect(range(apart, 'a / on(x) b')).toEqual([
      { labels: { x: '1' }, timestamps: [0, 60_000], values: [5, 10] },
    ]);
    const together = loadSteps(`
      a{x="1", y="p"} 10 10 _
      a{x="1", y="q"} _ 20 _
      b{x="1"} 2 2 2
    `);
    expect(() => range(together, 'a / on(x) b')).toThrow(
      'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
    );
  });

  it('keeps set-operator results per step', () => {
    const s = loadSteps(`
      a{x="1"} 1 1 1
      b{x="1"} _ 2 _
    `);
    expect(range(s, 'a unless b')).toEqual([
      { labels: { __name__: 'a', x: '1' }, timestamps: [0, 120_000], values: [1, 1] },
    ]);
    expect(range(s, 'b or a')).toEqual([
      { labels: { __name__: 'a', x: '1' }, timestamps: [0, 120_000], values: [1, 1] },
      { labels: { __name__: 'b', x: '1' }, timestamps: [60_000], values: [2] },
    ]);
  });
});

describe('fill modifiers', () => {
  const fillStore = load(`
    l{k="a"} 10
    l{k="b"} 20
    r{k="a"} 1
    r{k="c"} 3
  `);
  const filled = (query: string) => {
    const { value } = evaluateInstant(fillStore, parseExpr(query, { binopFillModifiers: true }), 0);
    if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
    return Object.fromEntries(value.samples.map((s) => [JSON.stringify(s.labels), s.value]));
  };

  it('stand in for the missing side of a match with the fill value', () => {
    expect(filled('l + ignoring(__name__) r')).toEqual({ '{"k":"a"}': 11 });
    expect(filled('l + fill(0) r')).toEqual({ '{"k":"a"}': 11, '{"k":"b"}': 20, '{"k":"c"}': 3 });
    expect(filled('l - fill_left(100) r')).toEqual({ '{"k":"a"}': 9, '{"k":"c"}': 97 });
    expect(filled('l - fill_right(100) r')).toEqual({ '{"k":"a"}': 9, '{"k":"b"}': -80 });
  });

  it('filter with a filled side under comparisons, the filled series taking the matching labels', () => {
    expect(filled('l > fill(5) r')).toEqual({
      '{"__name__":"l","k":"a"}': 10,
      '{"__name__":"l","k":"b"}': 20,
      '{"k":"c"}': 5,
    });
    expect(filled('l < bool fill(5) r')).toEqual({ '{"k":"a"}': 0, '{"k":"b"}': 0, '{"k":"c"}': 0 });
  });

  it('fill steps where one side has no series at all, in range queries too', () => {
    const { value } = evaluateRange(
      fillStore,
      parseExpr('l + fill(1) nothing', { binopFillModifiers: true }),
      0,
      60_000,
      60_000,
    );
    expect(value.series.map((s) => [{ ...s.labels }, [...s.values]])).toEqual([
      [{ k: 'a' }, [11, 11]],
      [{ k: 'b' }, [21, 21]],
    ]);
  });
});
