/**
 * Widening a native histogram's zero bucket, so that two histograms with different zero thresholds can be
 * added (Prometheus's `zeroCountForLargerThreshold`, `trimBucketsInZeroBucket`, `reconcileZeroBuckets`).
 */
import { sideBuckets } from './bucket.ts';
import type { FloatHistogram } from './float-histogram.ts';

/**
 * The zero count `h` would have with the zero threshold `largerThreshold` (≥ its own), and the threshold
 * actually needed: when `largerThreshold` falls inside a populated bucket, it moves out to that bucket's
 * outer bound (all in absolute values) and the bucket counts as inside.
 */
export function zeroCountForLargerThreshold(
  h: FloatHistogram,
  largerThreshold: number,
): { zeroCount: number; threshold: number } {
  if (largerThreshold === h.zeroThreshold) return { zeroCount: h.zeroCount, threshold: largerThreshold };
  let threshold = largerThreshold;
  for (;;) {
    let zeroCount = h.zeroCount;
    for (const b of sideBuckets(h.positiveSide())) {
      if (b.lower >= threshold) break;
      zeroCount += b.count;
      if (b.upper > threshold) {
        if (b.count !== 0) threshold = b.upper;
        break;
      }
    }
    let widened = false;
    for (const b of sideBuckets(h.negativeSide())) {
      if (b.upper <= -threshold) break;
      zeroCount += b.count;
      if (b.lower < -threshold) {
        // Inside a populated negative bucket: the positive side has to be counted again.
        if (b.count !== 0) {
          threshold = -b.lower;
          widened = true;
        }
        break;
      }
    }
    if (!widened) return { zeroCount, threshold };
  }
}

/**
 * Empties the buckets of `h` that lie within its zero bucket and compacts it. The zero threshold must be at
 * a bucket boundary and the zero count must already include those buckets.
 */
function trimBucketsInZeroBucket(h: FloatHistogram): void {
  let position = 0;
  for (const b of sideBuckets(h.positiveSide())) {
    if (b.lower >= h.zeroThreshold) break;
    h.positiveBuckets[position++] = 0;
  }
  position = 0;
  for (const b of sideBuckets(h.negativeSide())) {
    if (b.upper <= -h.zeroThreshold) break;
    h.negativeBuckets[position++] = 0;
  }
  h.compact(0);
}

/**
 * Widens the zero bucket of `h` (in place) and the one of `other` (only computed, `other` is left as is)
 * until both have the same threshold, not inside a populated bucket of either. Returns the zero count
 * `other` has with that threshold.
 */
export function reconcileZeroBuckets(h: FloatHistogram, other: FloatHistogram): number {
  let otherZeroCount = other.zeroCount;
  let otherThreshold = other.zeroThreshold;
  while (otherThreshold !== h.zeroThreshold) {
    if (h.zeroThreshold > otherThreshold) {
      ({ zeroCount: otherZeroCount, threshold: otherThreshold } = zeroCountForLargerThreshold(
        other,
        h.zeroThreshold,
      ));
    }
    if (otherThreshold > h.zeroThreshold) {
      ({ zeroCount: h.zeroCount, threshold: h.zeroThreshold } = zeroCountForLargerThreshold(
        h,
        otherThreshold,
      ));
      trimBucketsInZeroBucket(h);
    }
  }
  return otherZeroCount;
}
