import { isStaleNaN } from '@yardstick/promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandSeriesValues, parseSeriesLabels } from './series-notation.ts';

describe('expandSeriesValues', () => {
  it('expands promtool notation', () => {
    expect(expandSeriesValues('1+2x3')).toEqual([1, 3, 5, 7]);
    expect(expandSeriesValues('5x2 _ 7')).toEqual([5, 5, 5, undefined, 7]);
    expect(expandSeriesValues('-1-1x2 _x2')).toEqual([-1, -2, -3, undefined, undefined]);
    expect(expandSeriesValues('1e3 Inf -Inf')).toEqual([
      1000,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    const [nan, stale] = expandSeriesValues('NaN stale');
    expect(typeof nan === 'number' && Number.isNaN(nan) && !isStaleNaN(nan)).toBe(true);
    expect(stale).toBe('stale');
  });

  it('accumulates the step like Prometheus, so float rounding matches', () => {
    expect(expandSeriesValues('0+0.1x3')).toEqual([0, 0.1, 0.2, 0.30000000000000004]);
  });

  it('rejects garbage', () => {
    expect(() => expandSeriesValues('1+x')).toThrow(/bad series value/);
    expect(() => expandSeriesValues('abc')).toThrow(/bad series value/);
    expect(() => expandSeriesValues('{{schema:0 sum:1}}')).toThrow(/native histogram/);
  });

  it('refuses a count that would not fit in memory', () => {
    expect(() => expandSeriesValues('1+1x4000000000')).toThrow(/expand to more than 1000000 values/);
  });

  it('expands a+bxn into n+1 values for any a, b, n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 50 }),
        (a, b, n) => {
          const values = expandSeriesValues(`${a}+${b}x${n}`);
          expect(values).toHaveLength(n + 1);
          expect(values[n]).toBe(a + n * b);
        },
      ),
    );
  });
});

describe('parseSeriesLabels', () => {
  it('reads a series selector into labels', () => {
    expect(parseSeriesLabels('queue_depth{pool="a", region="eu"}')).toEqual({
      __name__: 'queue_depth',
      pool: 'a',
      region: 'eu',
    });
    expect(() => parseSeriesLabels('rate(x[5m])')).toThrow(/not a series/);
    expect(() => parseSeriesLabels('x{a=~"b"}')).toThrow(/must use "="/);
  });
});
