import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloatHistogram } from './float-histogram.ts';
import { getBoundExponential } from './schema.ts';
import type { Span } from './span.ts';

/** The exponential bucket holding `value` (> 0): the smallest index whose upper bound is ≥ it. */
function bucketIndex(value: number, schema: number): number {
  let index = Math.ceil(Math.log2(value) * 2 ** schema);
  while (getBoundExponential(index - 1, schema) >= value) index--;
  while (getBoundExponential(index, schema) < value) index++;
  return index;
}

/** Compact spans and counts for a map of bucket index to count. */
function layout(counts: ReadonlyMap<number, number>): { spans: Span[]; buckets: number[] } {
  const spans: Span[] = [];
  const buckets: number[] = [];
  let last: number | undefined;
  let start = 0;
  for (const index of [...counts.keys()].sort((a, b) => a - b)) {
    if (last !== undefined && index === last + 1) {
      spans[spans.length - 1] = { offset: start, length: spans[spans.length - 1]!.length + 1 };
    } else {
      start = last === undefined ? index : index - last - 1;
      spans.push({ offset: start, length: 1 });
    }
    buckets.push(counts.get(index)!);
    last = index;
  }
  return { spans, buckets };
}

/** The histogram a client library would build from `observations` at `schema`. */
function observe(observations: readonly number[], schema: number, zeroThreshold: number): FloatHistogram {
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  let zeroCount = 0;
  let sum = 0;
  for (const v of observations) {
    sum += v;
    if (Math.abs(v) <= zeroThreshold) zeroCount++;
    else {
      const side = v > 0 ? positive : negative;
      const index = bucketIndex(Math.abs(v), schema);
      side.set(index, (side.get(index) ?? 0) + 1);
    }
  }
  const p = layout(positive);
  const n = layout(negative);
  return new FloatHistogram({
    schema,
    zeroThreshold,
    zeroCount,
    count: observations.length,
    sum,
    positiveSpans: p.spans,
    positiveBuckets: p.buckets,
    negativeSpans: n.spans,
    negativeBuckets: n.buckets,
  });
}

/** Observations that are multiples of 1/8 in ±2^30, so sums and differences of sums are exact. */
const observation = fc.integer({ min: -(2 ** 33), max: 2 ** 33 }).map((k) => k / 8);
const observations = fc.array(observation, { maxLength: 60 });
const zeroThreshold = fc.constantFrom(0, 2 ** -10, 0.001, 1);

/** Cumulative count up to each upper bound, over all buckets in ascending order. */
function cumulativeAt(h: FloatHistogram): Map<number, number> {
  const out = new Map<number, number>();
  let total = 0;
  for (const b of h.allBucketIterator()) {
    total += b.count;
    out.set(b.upper, total);
  }
  return out;
}

describe('FloatHistogram properties', () => {
  it('copyToSchema(s - 1) keeps count, sum and the cumulative counts at common bounds, and equals observing at s - 1', () => {
    fc.assert(
      fc.property(observations, fc.integer({ min: -3, max: 8 }), zeroThreshold, (obs, schema, threshold) => {
        const fine = observe(obs, schema, threshold);
        const coarse = fine.copyToSchema(schema - 1);
        expect(coarse.count).toBe(fine.count);
        expect(coarse.sum).toBe(fine.sum);
        expect(coarse.zeroCount).toBe(fine.zeroCount);
        const fineCumulative = [...fine.allBucketIterator()];
        for (const [bound, total] of cumulativeAt(coarse)) {
          const expected = fineCumulative.filter((b) => b.upper <= bound).reduce((s, b) => s + b.count, 0);
          expect(total).toBe(expected);
        }
        expect(coarse.compact(0).equals(observe(obs, schema - 1, threshold))).toBe(true);
      }),
    );
  });

  it('add then sub of the same histogram gives back the original, once compacted', () => {
    fc.assert(
      fc.property(
        observations,
        observations,
        fc.integer({ min: -4, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        zeroThreshold,
        (obsA, obsB, schema, finer, threshold) => {
          const a = observe(obsA, schema, threshold);
          const b = observe(obsB, Math.min(8, schema + finer), threshold);
          const result = a.copy();
          expect(result.add(b).ok).toBe(true);
          expect(result.sub(b).ok).toBe(true);
          expect(result.compact(0).equals(a)).toBe(true);
        },
      ),
    );
  });

  it('a counter that only grows shows no reset, and going back shows one', () => {
    fc.assert(
      fc.property(
        observations,
        observations,
        fc.integer({ min: -4, max: 8 }),
        zeroThreshold,
        (obsA, obsB, schema, threshold) => {
          const before = observe(obsA, schema, threshold);
          const after = before.copy();
          after.add(observe(obsB, schema, threshold));
          expect(after.detectReset(before)).toBe(false);
          if (obsB.length > 0) expect(before.detectReset(after)).toBe(true);
        },
      ),
    );
  });
});
