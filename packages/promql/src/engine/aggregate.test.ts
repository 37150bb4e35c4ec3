import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { formatGoFloat } from './aggregate.ts';
import { evaluateInstant } from './evaluate.ts';

const store = new SampleStore();
store.append({ __name__: 'h', job: 'a', i: '1' }, 0, 1);
store.append({ __name__: 'h', job: 'a', i: '2' }, 0, 3);
store.append({ __name__: 'h', job: 'b', i: '3' }, 0, 10);

function samples(query: string): { labels: Record<string, string>; value: number }[] {
  const { value } = evaluateInstant(store, parseExpr(query, { experimentalFunctions: true }), 0);
  if (value.type !== 'vector') throw new Error(`expected a vector, got ${value.type}`);
  return value.samples.map((s) => ({ labels: { ...s.labels }, value: s.value }));
}

function byLabels(query: string): Record<string, number> {
  return Object.fromEntries(samples(query).map((s) => [JSON.stringify(s.labels), s.value]));
}

describe('grouping aggregations', () => {
  it('group by the listed labels or by everything but the listed labels and the name', () => {
    expect(byLabels('sum by (job) (h)')).toEqual({ '{"job":"a"}': 4, '{"job":"b"}': 10 });
    expect(byLabels('count without (i) (h)')).toEqual({ '{"job":"a"}': 2, '{"job":"b"}': 1 });
    expect(byLabels('sum(h)')).toEqual({ '{}': 14 });
  });

  it('compute avg, min, max, group, stddev, stdvar and quantile', () => {
    expect(byLabels('avg by (job) (h)')).toEqual({ '{"job":"a"}': 2, '{"job":"b"}': 10 });
    expect(byLabels('min(h)')).toEqual({ '{}': 1 });
    expect(byLabels('max(h)')).toEqual({ '{}': 10 });
    expect(byLabels('group by (job) (h)')).toEqual({ '{"job":"a"}': 1, '{"job":"b"}': 1 });
    expect(byLabels('stddev by (job) (h)')).toEqual({ '{"job":"a"}': 1, '{"job":"b"}': 0 });
    expect(byLabels('stdvar by (job) (h)')).toEqual({ '{"job":"a"}': 1, '{"job":"b"}': 0 });
    expect(byLabels('quantile(0.5, h)')).toEqual({ '{}': 3 });
    expect(byLabels('quantile(0.75, h)')).toEqual({ '{}': 6.5 });
  });

  it('keep the sum exact where naive addition loses the small terms', () => {
    const s = new SampleStore();
    [1e100, 1, -1e100, 1].forEach((v, i) => {
      s.append({ __name__: 'k', i: String(i) }, 0, v);
    });
    const { value } = evaluateInstant(s, parseExpr('sum(k)'), 0);
    expect(value.type === 'vector' && value.samples[0]!.value).toBe(2);
  });

  it('count distinct values with count_values', () => {
    expect(byLabels('count_values("v", h)')).toEqual({ '{"v":"1"}': 1, '{"v":"3"}': 1, '{"v":"10"}': 1 });
  });
});

describe('selecting aggregations', () => {
  it('return topk in descending and bottomk in ascending order with the input labels', () => {
    expect(samples('topk(2, h)').map((s) => s.value)).toEqual([10, 3]);
    expect(samples('bottomk(1, h)')).toEqual([{ labels: { __name__: 'h', job: 'a', i: '1' }, value: 1 }]);
    expect(samples('topk by (job) (1, h)').map((s) => s.value)).toEqual([3, 10]);
  });

  it('pick the first k series per group with limitk', () => {
    expect(samples('limitk by (job) (1, h)').map((s) => s.labels.i)).toEqual(['1', '3']);
    expect(samples('limitk(100, h)')).toHaveLength(3);
    expect(samples('limitk(1.9, h)')).toHaveLength(1);
    expect(samples('limitk(0, h)')).toEqual([]);
    expect(samples('limitk(-1, h)')).toEqual([]);
  });

  it('refuse a k that is NaN or beyond int64, as Prometheus does', () => {
    expect(() => samples('limitk(NaN, h)')).toThrow('Parameter value is NaN');
    expect(() => samples('limitk(1e19, h)')).toThrow('Scalar value 1e+19 overflows int64');
    // As in Prometheus, a k below 1 at every step returns nothing before the range is checked.
    expect(samples('limitk(-1e19, h)')).toEqual([]);
  });

  it("list the picks of limitk and limit_ratio in the order of Prometheus's value heap", () => {
    const s = new SampleStore();
    for (const [i, v] of [
      ['1', 3],
      ['2', 2],
      ['3', 1],
    ] as const) {
      s.append({ __name__: 'd', g: i === '2' ? 'y' : 'x', i }, 0, v);
    }
    const order = (query: string) => {
      const { value } = evaluateInstant(s, parseExpr(query, { experimentalFunctions: true }), 0);
      return value.type === 'vector' ? value.samples.map((x) => x.value) : [];
    };
    // Pushing 3, 2, 1 onto a min-heap leaves [1, 3, 2].
    expect(order('limitk(3, d)')).toEqual([1, 3, 2]);
    expect(order('limit_ratio(1, d)')).toEqual([1, 3, 2]);
    expect(order('limit_ratio(-1, d)')).toEqual([1, 3, 2]);
    // Groups in the order their first series comes, each in heap order.
    expect(order('limit_ratio by (g) (1, d)')).toEqual([1, 3, 2]);
    expect(order('limitk by (g) (1, d)')).toEqual([3, 2]);
  });

  it('fail on a NaN parameter', () => {
    expect(() => samples('topk(NaN, h)')).toThrow('Parameter value is NaN');
  });
});

describe('formatGoFloat', () => {
  it('writes the shortest digits without an exponent, like Go', () => {
    expect(formatGoFloat(1e21)).toBe('1000000000000000000000');
    expect(formatGoFloat(1.5e-7)).toBe('0.00000015');
    expect(formatGoFloat(-2.5)).toBe('-2.5');
    expect(formatGoFloat(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });

  it('round-trips every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = formatGoFloat(v);
        return !/e/i.test(text) && Number(text) === v;
      }),
    );
  });
});
