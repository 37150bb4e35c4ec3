/**
 * An exponential histogram as explicit `le` buckets, for text formats that only know classic histograms: each
 * populated exponential bucket becomes one classic bucket whose `le` is that bucket's upper boundary, so the
 * counts stay exact (no interpolation, no re-bucketing).
 */
import type { ExponentialHistogramSnapshot } from './exponential-histogram.ts';
import { lowerBoundaryOf, minIndexOf } from './exponential-mapping.ts';

/**
 * Classic buckets: `counts[i]` values in `(boundaries[i-1], boundaries[i]]` (the first from -Infinity).
 * Counts are per bucket, not cumulative; values above the last boundary do not exist, so a writer's `+Inf`
 * bucket is the total count.
 */
export interface ClassicBuckets {
  boundaries: number[];
  counts: number[];
}

/**
 * Converts an exponential histogram snapshot to classic buckets, in ascending order of `le`, one per
 * non-empty bucket: the negative buckets (most negative first), the zero bucket (`le` 0) when it holds
 * values, then the positive buckets. The counts add up to `snapshot.count`.
 *
 * The boundaries are chosen so that `le` semantics hold for every value the bucket holds:
 * - positive bucket `i` holds `(base^i, base^(i+1)]`: `le = base^(i+1)`; the last bucket below `2^1024`
 *   gets `Number.MAX_VALUE`, the largest value it can hold.
 * - negative bucket `i` holds `[-base^(i+1), -base^i)`, open at the top, so `le` is the largest double
 *   below `-base^i` (e.g. `-2.0000000000000004` for the bucket of `[-4, -2)` at scale 0): with `le = -2`, a
 *   value of exactly -2 (counted in `[-2, -1)`) would sit under the wrong `le`.
 * - the bucket of `2^-1022` also holds the subnormal values: its negative `le` is `-Number.MIN_VALUE`.
 *
 * At positive scales `base^i` is irrational unless it is a power of two; the boundary is the closest double
 * `Math.pow` gives, and the logarithm mapping is accurate to about 1e-13 relative: a value that close to a
 * boundary may be counted on the other side of it (see `exponential-mapping.ts`).
 *
 * @example
 * ```ts
 * const { boundaries, counts } = toClassicBuckets(cell.snapshot());
 * // e.g. at scale 0: boundaries [0, 1, 4], counts [1, 2, 3]; cumulated: le="0" 1, le="1" 3, le="4" 6
 * ```
 *
 * Only the scale and the buckets are read, so a collected point's value (`ExponentialHistogramValue`, the
 * sdk-metrics `ExponentialHistogram`) can be passed as it is.
 */
export function toClassicBuckets(
  snapshot: Pick<ExponentialHistogramSnapshot, 'scale' | 'zeroCount' | 'positive' | 'negative'>,
): ClassicBuckets {
  const { scale, negative, positive } = snapshot;
  const minIndex = minIndexOf(scale);
  const boundaries: number[] = [];
  const counts: number[] = [];
  for (let i = negative.bucketCounts.length - 1; i >= 0; i--) {
    const count = negative.bucketCounts[i]!;
    if (count === 0) continue;
    const index = negative.offset + i;
    boundaries.push(index === minIndex ? -Number.MIN_VALUE : -nextUp(lowerBoundaryOf(index, scale)));
    counts.push(count);
  }
  if (snapshot.zeroCount > 0) {
    boundaries.push(0);
    counts.push(snapshot.zeroCount);
  }
  for (let i = 0; i < positive.bucketCounts.length; i++) {
    const count = positive.bucketCounts[i]!;
    if (count === 0) continue;
    const upper = lowerBoundaryOf(positive.offset + i + 1, scale);
    boundaries.push(upper === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : upper);
    counts.push(count);
  }
  return { boundaries, counts };
}

const scratchDouble = new Float64Array(1);
const scratchBits = new BigUint64Array(scratchDouble.buffer);

/** The smallest double above the positive finite `x`. */
function nextUp(x: number): number {
  scratchDouble[0] = x;
  scratchBits[0]! += 1n;
  return scratchDouble[0]!;
}
