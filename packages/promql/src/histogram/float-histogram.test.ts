import { describe, expect, it } from 'vitest';
import { sideBuckets } from './bucket.ts';
import { type FloatHistogram, MIXED_SCHEMAS_MESSAGE } from './float-histogram.ts';
import { addCases } from './testing/add-cases.ts';
import { compactCases } from './testing/compact-cases.ts';
import { copyToSchemaCases } from './testing/copy-to-schema-cases.ts';
import { detectResetCases } from './testing/detect-reset-cases.ts';
import type { CombineCase } from './testing/histogram-literal.ts';
import { fh } from './testing/histogram-literal.ts';
import { allBucketCases, customIteratorCases, targetSchemaCases } from './testing/iterator-cases.ts';
import { divCases, mulCases } from './testing/mul-div-cases.ts';
import { subCases } from './testing/sub-cases.ts';

/** The fields as Go's `require.Equal` compares them (`-0 == 0`). */
function fields(h: FloatHistogram): object {
  const plus = (v: number) => (v === 0 ? 0 : v);
  return {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: plus(h.zeroThreshold),
    zeroCount: plus(h.zeroCount),
    count: plus(h.count),
    sum: plus(h.sum),
    positiveSpans: h.positiveSpans,
    negativeSpans: h.negativeSpans,
    positiveBuckets: h.positiveBuckets.map(plus),
    negativeBuckets: h.negativeBuckets.map(plus),
    customValues: h.customValues,
  };
}

/** Prometheus's `testHistogramAdd` / `testFloatHistogramSub`, one direction. */
function checkCombine(op: 'add' | 'sub', c: CombineCase, a: FloatHistogram, b: FloatHistogram): void {
  const receiver = a.copy();
  const operand = b.copy();
  const result = receiver[op](operand);
  if (c.expErrMsg !== undefined && c.expErrMsg !== '') {
    expect(result.ok).toBe(false);
    expect(MIXED_SCHEMAS_MESSAGE).toBe(c.expErrMsg);
    expect(fields(receiver)).toEqual(fields(a));
    return;
  }
  if (!result.ok) throw new Error(`unexpected ${result.error}`);
  expect(result.counterResetCollision).toBe(c.expCounterResetCollision ?? false);
  expect(result.nhcbBoundsReconciled).toBe(c.expNHCBBoundsReconciled ?? false);
  if (c.expected === undefined) return;
  expect(fields(receiver.compact(0))).toEqual(fields(c.expected.copy().compact(0)));
  expect(fields(operand)).toEqual(fields(b));
}

describe('FloatHistogram.add (Prometheus TestFloatHistogramAdd)', () => {
  it.each(addCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    checkCombine('add', c, c.in1, c.in2);
    checkCombine('add', c, c.in2, c.in1);
  });
});

describe('FloatHistogram.sub (Prometheus TestFloatHistogramSub)', () => {
  it.each(subCases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    checkCombine('sub', c, c.in1, c.in2);
    // The reverse gives the negated result; Mul(-1) makes a gauge, but the hint stays that of `expected`.
    let negated: FloatHistogram | undefined;
    if (c.expected !== undefined) {
      negated = c.expected.copy().mul(-1);
      negated.counterResetHint = c.expected.counterResetHint;
    }
    checkCombine('sub', { ...c, ...(negated === undefined ? {} : { expected: negated }) }, c.in2, c.in1);
  });
});

describe('FloatHistogram.copyToSchema (Prometheus TestFloatHistogramCopyToSchema)', () => {
  it.each(copyToSchemaCases)('%s', (_, target, input, expected) => {
    const before = fields(input.copy());
    expect(fields(input.copyToSchema(target))).toEqual(fields(expected));
    expect(fields(input)).toEqual(before);
  });

  it('refuses a higher resolution and custom buckets', () => {
    expect(() => fh({ schema: 1 }).copyToSchema(2)).toThrow(/cannot copy from schema 1 to 2/);
    expect(() => fh({ schema: -53 }).copyToSchema(0)).toThrow(/custom buckets/);
  });
});

describe('FloatHistogram.compact (Prometheus TestFloatHistogramCompact)', () => {
  it.each(compactCases)('%s', (_, input, maxEmptyBuckets, expected) => {
    expect(fields(input.copy().compact(maxEmptyBuckets))).toEqual(fields(expected));
  });
});

describe('FloatHistogram.detectReset (Prometheus TestFloatHistogramDetectReset)', () => {
  it.each(detectResetCases)('%s', (_, previous, current, reset) => {
    expect(current.detectReset(previous)).toBe(reset);
  });
});

describe('FloatHistogram.mul and div (Prometheus TestFloatHistogramMul, TestFloatHistogramDiv)', () => {
  it.each(mulCases)('mul: %s', (_, input, factor, expected) => {
    expect(fields(input.copy().mul(factor))).toEqual(fields(expected));
  });
  it.each(divCases)('div: %s', (_, input, divisor, expected) => {
    expect(fields(input.copy().div(divisor))).toEqual(fields(expected));
  });
});

describe('bucket iterators', () => {
  it.each(allBucketCases.map((c, i) => [i, c] as const))(
    'allBucketIterator yields negative, zero and positive buckets in order (case %i)',
    (_, c) => {
      const { h } = c;
      const expected = [];
      if (c.includeNeg) {
        for (const b of h.negativeReverseBucketIterator()) {
          expected.push(c.includeZero && b.upper > -h.zeroThreshold ? { ...b, upper: -h.zeroThreshold } : b);
        }
      }
      if (c.includeZero) expected.push(h.zeroBucket());
      if (c.includePos) {
        for (const b of h.positiveBucketIterator()) {
          expected.push(c.includeZero && b.lower < h.zeroThreshold ? { ...b, lower: h.zeroThreshold } : b);
        }
      }
      expect([...h.allBucketIterator()]).toEqual(expected);
      expect([...h.allReverseBucketIterator()]).toEqual(expected.reverse());
    },
  );

  it.each(Object.entries(targetSchemaCases))('merges buckets into a lower schema: %s', (_, c) => {
    expect([...sideBuckets(c.h.positiveSide(), -1)]).toEqual(c.expPositiveBuckets);
    expect([...sideBuckets(c.h.negativeSide(), -1)]).toEqual(c.expNegativeBuckets);
  });

  it.each(customIteratorCases.map((c, i) => [i, c] as const))(
    'custom buckets run from -Inf to +Inf with closed upper bounds (case %i)',
    (_, { h, expPositiveBuckets }) => {
      const reversed = [...expPositiveBuckets].reverse();
      expect([...h.allBucketIterator()]).toEqual(expPositiveBuckets);
      expect([...h.allReverseBucketIterator()]).toEqual(reversed);
      expect([...h.positiveBucketIterator()]).toEqual(expPositiveBuckets);
      expect([...h.positiveReverseBucketIterator()]).toEqual(reversed);
      expect([...h.negativeBucketIterator()]).toEqual([]);
      expect([...h.negativeReverseBucketIterator()]).toEqual([]);
    },
  );

  it('gives exponential buckets their bounds and inclusivity (Prometheus TestFloatHistogramString)', () => {
    const h = fh({
      schema: 1,
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    });
    const text = [...h.allBucketIterator()].map(
      (b) => `${b.lowerInclusive ? '[' : '('}${b.lower},${b.upper}${b.upperInclusive ? ']' : ')'}:${b.count}`,
    );
    expect(text).toEqual([
      '[-22.62741699796952,-16):1000',
      '[-16,-11.31370849898476):123400',
      '[-4,-2.82842712474619):3',
      '[-2.82842712474619,-2):3.1',
      '[-0.01,0.01]:5.5',
      '(0.35355339059327373,0.5]:1',
      '(1,1.414213562373095]:3.3',
      '(1.414213562373095,2]:4.2',
      '(2,2.82842712474619]:0.1',
    ]);
  });
});

describe('FloatHistogram.equals', () => {
  const base = fh({
    schema: 3,
    count: 2.2,
    sum: 9.7,
    zeroThreshold: 0.1,
    zeroCount: 1.1,
    positiveSpans: [[0, 1]],
    positiveBuckets: [3],
    negativeSpans: [[0, 1]],
    negativeBuckets: [4],
  });

  it('ignores zero-length spans but not a different layout', () => {
    const withEmptySpan = base.copy();
    withEmptySpan.positiveSpans = [
      { offset: 0, length: 0 },
      { offset: 0, length: 1 },
    ];
    expect(base.equals(withEmptySpan)).toBe(true);
    const shifted = base.copy();
    shifted.positiveSpans = [{ offset: 1, length: 1 }];
    expect(base.equals(shifted)).toBe(false);
  });

  it('compares values by bit pattern: NaN equals NaN, a staleness NaN differs from NaN', () => {
    const a = base.copy();
    a.sum = Number.NaN;
    const b = base.copy();
    b.sum = Number.NaN;
    expect(a.equals(b)).toBe(true);
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
    b.sum = stale;
    expect(a.equals(b)).toBe(false);
  });

  it('compares custom bounds only for custom buckets, and the unused fields anyway', () => {
    const custom = fh({
      schema: -53,
      count: 1,
      positiveSpans: [[0, 1]],
      positiveBuckets: [1],
      customValues: [1, 2],
    });
    const otherBounds = custom.copy();
    otherBounds.customValues = [1, 3];
    expect(custom.equals(otherBounds)).toBe(false);
    const withZero = custom.copy();
    withZero.zeroCount = 10;
    expect(custom.equals(withZero)).toBe(false);
  });
});
