import { FloatHistogram } from '@yardstick/promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHistogramRow, encodeHistogramRow } from './histogram-row.ts';

const spans = fc.array(
  fc.record({ offset: fc.integer({ min: -2_000, max: 2_000 }), length: fc.integer({ min: 0, max: 6 }) }),
  { maxLength: 4 },
);
const count = fc.oneof(
  fc.nat(),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, min: 0, max: 1e300 }),
);

/** A histogram whose bucket counts match its spans. */
const histogram = fc
  .record({
    counterResetHint: fc.constantFrom('unknown', 'counter-reset', 'not-counter-reset', 'gauge' as const),
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.double({ noNaN: true, min: 0, max: 1 }),
    zeroCount: fc.nat(),
    count: fc.double(),
    sum: fc.double(),
    positiveSpans: spans,
    negativeSpans: spans,
    counts: fc.array(count, { minLength: 48, maxLength: 48 }),
  })
  .map(({ counts, ...fields }) => {
    const sizeOf = (s: readonly { length: number }[]) => s.reduce((a, b) => a + b.length, 0);
    return new FloatHistogram({
      ...fields,
      positiveBuckets: counts.slice(0, sizeOf(fields.positiveSpans)),
      negativeBuckets: counts.slice(24, 24 + sizeOf(fields.negativeSpans)),
    });
  });

describe('histogram rows', () => {
  it('decode to the histogram that was encoded, integer or float counts, any layout', () => {
    fc.assert(
      fc.property(histogram, (h) => {
        expect(decodeHistogramRow(encodeHistogramRow(h))).toEqual(h);
      }),
    );
  });

  it('keep custom bucket bounds and the custom-bucket schema', () => {
    const h = new FloatHistogram({
      schema: -53,
      count: 6,
      sum: 12.5,
      positiveSpans: [{ offset: 0, length: 3 }],
      positiveBuckets: [1, 0.5, 4.5],
      customValues: [0.1, 1, 10],
    });
    expect(decodeHistogramRow(encodeHistogramRow(h))).toEqual(h);
  });

  it('take a byte or two per bucket for the integer counts the core records', () => {
    const buckets = Array.from({ length: 40 }, (_, i) => 1_000 + ((i * 37) % 50));
    const h = new FloatHistogram({
      schema: 3,
      count: buckets.reduce((a, b) => a + b, 0),
      sum: 123.4,
      positiveSpans: [{ offset: -10, length: 40 }],
      positiveBuckets: buckets,
    });
    // 3 header bytes, 32 for zero threshold/zero count/count/sum, 4 of spans, 1 of custom bounds.
    expect(encodeHistogramRow(h).length - 40).toBeLessThanOrEqual(2 * 40);
  });

  it('refuse a row that ends early', () => {
    const bytes = encodeHistogramRow(
      new FloatHistogram({ positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 2] }),
    );
    expect(() => decodeHistogramRow(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
  });
});
