/**
 * The trim operators on native histograms (Prometheus's `FloatHistogram.TrimBuckets`): `h </ x` keeps the
 * observations below `x`, `h >/ x` those above it. A bucket that straddles `x` keeps the share of its count
 * on the kept side, interpolated exponentially inside exponential buckets and linearly inside custom buckets
 * and the zero bucket; buckets with an infinite bound are kept or dropped whole where their spread is
 * unknown. When anything was trimmed, count and sum are recomputed from what is left, each bucket's kept
 * count placed at the middle of its kept part (the geometric middle for exponential buckets).
 */
import { type Bucket, type BucketSide, fractionBelow, sideBuckets } from './bucket.ts';
import type { FloatHistogram } from './float-histogram.ts';

/** A kept count and the value it is taken to sit at, for the recomputed sum. */
type Kept = readonly [count: number, midpoint: number];

function zeroIfInfinite(x: number): number {
  return x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY ? 0 : x;
}

function isInfinite(x: number): boolean {
  return x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY;
}

/** Prometheus's `computeMidpoint` of the kept interval `[lower, upper]`. */
function midpoint(lower: number, upper: number, positive: boolean, linear: boolean): number {
  if (isInfinite(lower)) {
    if (isInfinite(upper)) return 0;
    return upper > 0 ? upper / 2 : upper;
  }
  if (isInfinite(upper)) return lower;
  if (linear) return (lower + upper) / 2;
  const geometric = Math.sqrt(Math.abs(lower * upper));
  return positive ? geometric : -geometric;
}

/** Prometheus's `handleInfinityBuckets`: a straddling bucket with an infinite bound. */
function trimInfiniteBucket(b: Bucket, rhs: number, upperTrim: boolean): Kept {
  if (b.lower === Number.NEGATIVE_INFINITY) {
    if (upperTrim) {
      if (rhs >= b.upper) return [b.count, 0];
      // A finite positive upper bound: read the lower bound as 0 (custom buckets only, so linear).
      if (rhs > 0 && b.upper > 0 && !isInfinite(b.upper)) return [(b.count * rhs) / b.upper, rhs / 2];
      if (b.upper <= 0) return [b.count, rhs];
      return [0, zeroIfInfinite(b.upper)];
    }
    if (rhs <= b.lower) return [b.count, 0];
    if (rhs >= 0 && b.upper > rhs && !isInfinite(b.upper)) {
      return [b.count * (1 - rhs / b.upper), (rhs + b.upper) / 2];
    }
    return [0, zeroIfInfinite(b.upper)];
  }
  // The upper bound is +Inf: where its observations lie above `rhs` is unknown.
  if (upperTrim) return [0, zeroIfInfinite(b.lower)];
  if (rhs >= b.lower) return [b.count, rhs];
  return [0, zeroIfInfinite(b.lower)];
}

/** Prometheus's `computeBucketTrim`: what a bucket holding `rhs` keeps. */
function trimBucket(b: Bucket, rhs: number, upperTrim: boolean, positive: boolean, custom: boolean): Kept {
  if (b.lower === Number.NEGATIVE_INFINITY || b.upper === Number.POSITIVE_INFINITY) {
    return trimInfiniteBucket(b, rhs, upperTrim);
  }
  let below: number;
  if (rhs <= b.lower) below = 0;
  else if (rhs >= b.upper) below = b.count;
  else below = b.count * fractionBelow(b, rhs, custom);
  if (upperTrim) return [below, midpoint(b.lower, rhs, positive, custom)];
  return [b.count - below, midpoint(rhs, b.upper, positive, custom)];
}

/** Prometheus's `computeZeroBucketTrim`: the zero bucket ends at 0 on a side without buckets. */
function trimZeroBucket(
  h: FloatHistogram,
  rhs: number,
  hasNegative: boolean,
  hasPositive: boolean,
  upperTrim: boolean,
): Kept {
  let lower = -h.zeroThreshold;
  let upper = h.zeroThreshold;
  if (hasNegative && !hasPositive) upper = 0;
  if (hasPositive && !hasNegative) lower = 0;
  const count = h.zeroCount;
  if (upperTrim) {
    if (rhs <= lower) return [0, 0];
    if (rhs >= upper) return [count, (lower + upper) / 2];
    return [(count * (rhs - lower)) / (upper - lower), (lower + rhs) / 2];
  }
  if (rhs <= lower) return [count, (lower + upper) / 2];
  if (rhs >= upper) return [0, 0];
  return [(count * (upper - rhs)) / (upper - lower), (rhs + upper) / 2];
}

/**
 * Trims `h` in place at `rhs` (`upperTrim`: `</`, else `>/`) and returns it, compacted when anything was
 * trimmed. Callers that keep the original pass a copy.
 */
export function trimBuckets(h: FloatHistogram, rhs: number, upperTrim: boolean): FloatHistogram {
  const custom = h.usesCustomBuckets();
  let count = 0;
  let sum = 0;
  let trimmed = false;
  const trimSide = (side: BucketSide, buckets: number[]): boolean => {
    let populated = false;
    let i = 0;
    for (const b of sideBuckets(side)) {
      const position = i++;
      if (b.count === 0) continue;
      populated = true;
      const whole = upperTrim ? b.upper <= rhs : b.lower >= rhs;
      const straddles = upperTrim ? b.lower < rhs : b.upper > rhs;
      if (whole) {
        count += b.count;
        sum += midpoint(b.lower, b.upper, side.positive, custom) * b.count;
      } else if (straddles) {
        const [keep, middle] = trimBucket(b, rhs, upperTrim, side.positive, custom);
        count += keep;
        sum += middle * keep;
        if (buckets[position] !== keep) {
          buckets[position] = keep;
          trimmed = true;
        }
      } else {
        buckets[position] = 0;
        trimmed = true;
      }
    }
    return populated;
  };
  const hasPositive = trimSide(h.positiveSide(), h.positiveBuckets);
  const hasNegative = trimSide(h.negativeSide(), h.negativeBuckets);
  if (h.zeroCount > 0) {
    const [keep, middle] = trimZeroBucket(h, rhs, hasNegative, hasPositive, upperTrim);
    if (h.zeroCount !== keep) {
      h.zeroCount = keep;
      trimmed = true;
    }
    sum += middle * keep;
    count += keep;
  }
  if (trimmed) {
    h.count = count;
    h.sum = sum;
    h.compact(0);
  }
  return h;
}
