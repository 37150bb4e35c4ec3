import { FloatHistogram } from '@yardstick/promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHistogramChunk, encodeHistogramChunk, type TimedHistogram } from './histogram-chunk-bytes.ts';

/** A cumulative histogram over `buckets`, as a series of collections sees it. */
function sample(t: number, buckets: number[], fields: Partial<FloatHistogram> = {}): TimedHistogram {
  const zeroCount = fields.zeroCount ?? 1;
  return {
    t,
    histogram: new FloatHistogram({
      schema: 3,
      zeroCount,
      count: buckets.reduce((a, b) => a + b, zeroCount),
      sum: buckets.length * 0.37 + t / 1e6,
      positiveSpans: [{ offset: -5, length: buckets.length }],
      positiveBuckets: buckets,
      ...fields,
    }),
  };
}

describe('histogram chunks', () => {
  it('decode to the samples encoded: growing counts, resets, layout changes, float counts', () => {
    const step = fc.record({
      gap: fc.integer({ min: 1, max: 120_000 }),
      growth: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 8, maxLength: 8 }),
      reset: fc.boolean(),
      widen: fc.boolean(),
      fraction: fc.boolean(),
      hint: fc.constantFrom('unknown', 'counter-reset', 'not-counter-reset', 'gauge' as const),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        (start, steps) => {
          let t = start;
          let buckets = new Array(6).fill(0) as number[];
          const samples = steps.map(({ gap, growth, reset, widen, fraction, hint }) => {
            t += gap;
            if (reset) buckets = buckets.map(() => 0);
            if (widen) buckets = [...buckets, 0];
            buckets = buckets.map((b, i) => b + growth[i % growth.length]! + (fraction && i === 0 ? 0.5 : 0));
            return sample(t, buckets, { counterResetHint: hint });
          });
          expect(decodeHistogramChunk(encodeHistogramChunk(samples), samples[0]!.t, samples.length)).toEqual(
            samples,
          );
        },
      ),
    );
  });

  it('keep a slowly growing histogram under 1.5 bytes per bucket per sample', () => {
    let buckets = new Array(40).fill(1_000_000) as number[];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const samples = Array.from({ length: 120 }, (_, i) => {
      buckets = buckets.map((b) => b + Math.floor(random() * 6));
      return sample(1_700_000_000_000 + i * 15_000, buckets);
    });
    const bytes = encodeHistogramChunk(samples);
    expect(bytes.length / 120 / 40).toBeLessThan(1.5);
  });

  it('refuse a chunk that ends early', () => {
    const samples = [sample(0, [1, 2, 3]), sample(15_000, [2, 3, 4])];
    const bytes = encodeHistogramChunk(samples);
    expect(() => decodeHistogramChunk(bytes.subarray(0, bytes.length - 2), 0, 2)).toThrow(RangeError);
  });
});
