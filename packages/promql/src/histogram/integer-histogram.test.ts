import { describe, expect, it } from 'vitest';
import { integerToFloatHistogram } from './integer-histogram.ts';

describe('integerToFloatHistogram (Prometheus TestHistogramToFloat)', () => {
  it('turns delta-encoded buckets into absolute counts, zero-length spans kept', () => {
    const h = integerToFloatHistogram({
      counterResetHint: 'not-counter-reset',
      schema: 3,
      count: 61,
      sum: 2.7,
      zeroThreshold: 0.1,
      zeroCount: 42,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 0, length: 0 },
        { offset: 0, length: 3 },
      ],
      positiveBuckets: [1, 2, -2, 1, -1, 0, 0],
      negativeSpans: [
        { offset: 0, length: 5 },
        { offset: 1, length: 0 },
        { offset: 0, length: 1 },
      ],
      negativeBuckets: [1, 2, -2, 1, -1, 0],
      customValues: [],
    });
    expect(h.positiveBuckets).toEqual([1, 3, 1, 2, 1, 1, 1]);
    expect(h.negativeBuckets).toEqual([1, 3, 1, 2, 1, 1]);
    expect(h.positiveSpans).toHaveLength(3);
    expect(h.zeroCount).toBe(42);
    expect(h.counterResetHint).toBe('not-counter-reset');
    const text = [...h.allBucketIterator()].map((b) => `${b.lower},${b.upper}:${b.count}`);
    expect(text.slice(5, 8)).toEqual(['-1,-0.9170040432046711:1', '-0.1,0.1:42', '0.9170040432046711,1:1']);
  });

  it('drops the zero bucket and the negative side of custom buckets (TestCustomBucketsHistogramToFloat)', () => {
    const h = integerToFloatHistogram({
      counterResetHint: 'unknown',
      schema: -53,
      count: 10,
      sum: 2.7,
      zeroThreshold: 0.5,
      zeroCount: 3,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 0, length: 0 },
        { offset: 0, length: 3 },
      ],
      positiveBuckets: [1, 2, -2, 1, -1, 0, 0],
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeBuckets: [1],
      customValues: [5, 10, 20, 50, 100, 500],
    });
    expect(h.positiveBuckets).toEqual([1, 3, 1, 2, 1, 1, 1]);
    expect(h.zeroCount).toBe(0);
    expect(h.zeroThreshold).toBe(0);
    expect(h.negativeBuckets).toEqual([]);
    expect(h.customValues).toEqual([5, 10, 20, 50, 100, 500]);
  });
});
