/**
 * Counter reset detection between two native histogram samples (Prometheus's `FloatHistogram.DetectReset`).
 */
import { type BucketSide, type IndexedCount, indexedCounts, sideBuckets } from './bucket.ts';
import { customBoundsMatch } from './custom-buckets.ts';
import type { FloatHistogram } from './float-histogram.ts';
import { CUSTOM_BUCKETS_SCHEMA, getBound } from './schema.ts';
import { type Span, sameSpans } from './span.ts';
import { zeroCountForLargerThreshold } from './zero-bucket.ts';

/**
 * Whether `current` starts after a counter reset relative to `previous`. A `gauge` hint is treated like
 * `unknown`: PromQL lets counter functions run on gauge histograms (with a warning).
 */
export function detectReset(current: FloatHistogram, previous: FloatHistogram): boolean {
  if (current.counterResetHint === 'counter-reset') return true;
  if (current.counterResetHint === 'not-counter-reset') return false;
  if (current.count < previous.count) return true;
  if (current.usesCustomBuckets()) {
    // A change from exponential to custom buckets means a restart or a reconfiguration.
    if (!previous.usesCustomBuckets()) return true;
    if (!customBoundsMatch(current.customValues, previous.customValues)) {
      return resetWithMismatchedCustomBounds(current, previous);
    }
  }
  if (current.schema > previous.schema) return true;
  if (current.zeroThreshold < previous.zeroThreshold) return true;
  const widened = zeroCountForLargerThreshold(previous, current.zeroThreshold);
  // The new threshold cuts through a populated bucket of the previous histogram.
  if (widened.threshold !== current.zeroThreshold) return true;
  if (current.zeroCount < widened.zeroCount) return true;
  // Kept for speed: samples of one chunk share their layout, and then the buckets compare position by
  // position; the general walk below reads both through generators (measured: ~1/4 of a rate() over 1k
  // series of 32 buckets).
  if (
    current.schema === previous.schema &&
    sameSpans(current.positiveSpans, previous.positiveSpans) &&
    sameSpans(current.negativeSpans, previous.negativeSpans) &&
    (current.usesCustomBuckets() ||
      (clearOfZeroBucket(current.positiveSpans, current.schema, current.zeroThreshold) &&
        clearOfZeroBucket(current.negativeSpans, current.schema, current.zeroThreshold)))
  ) {
    return (
      decreased(current.positiveBuckets, previous.positiveBuckets) ||
      decreased(current.negativeBuckets, previous.negativeBuckets)
    );
  }
  return (
    sideReset(current.positiveSide(), previous.positiveSide(), current.schema, current.zeroThreshold) ||
    sideReset(current.negativeSide(), previous.negativeSide(), current.schema, current.zeroThreshold)
  );
}

/** Whether the lowest bucket of a side lies outside the zero bucket, so that no bucket is skipped as inside it. */
function clearOfZeroBucket(spans: readonly Span[], schema: number, zeroThreshold: number): boolean {
  return spans.length === 0 || getBound(spans[0]!.offset, schema, []) > zeroThreshold;
}

/** Whether any bucket of `current` is lower than the same bucket of `previous` (one layout). */
function decreased(current: readonly number[], previous: readonly number[]): boolean {
  for (let i = 0; i < current.length; i++) if (current[i]! < previous[i]!) return true;
  return false;
}

/**
 * Whether a bucket populated in `previous` (in `schema`, outside the zero bucket) is missing or lower in
 * `current`. Prometheus's `detectReset` with the fix made after 3.14: once the current histogram has run
 * out of buckets, every remaining previous bucket is looked at (3.14 looked at the first one only).
 */
function sideReset(
  current: BucketSide,
  previous: BucketSide,
  schema: number,
  zeroThreshold: number,
): boolean {
  const currentIt = indexedCounts(current, schema, zeroThreshold);
  let currentBucket: IndexedCount | undefined = next(currentIt);
  for (const previousBucket of indexedCounts(previous, schema, zeroThreshold)) {
    while (currentBucket !== undefined && currentBucket.index < previousBucket.index)
      currentBucket = next(currentIt);
    if (currentBucket === undefined || currentBucket.index > previousBucket.index) {
      // The current histogram lacks this bucket.
      if (previousBucket.count !== 0) return true;
    } else if (currentBucket.count < previousBucket.count) {
      return true;
    }
  }
  return false;
}

function next(it: Generator<IndexedCount, void, undefined>): IndexedCount | undefined {
  const step = it.next();
  return step.done === true ? undefined : step.value;
}

/**
 * Reset detection between custom-bucket histograms with different bounds: at each bound both share (and
 * `+Inf`), the counts of the buckets up to it that were not compared yet must not have decreased.
 */
function resetWithMismatchedCustomBounds(current: FloatHistogram, previous: FloatHistogram): boolean {
  const currentBounds = current.customValues;
  const previousBounds = previous.customValues;
  const currentIt = sideBuckets(current.positiveSide(), CUSTOM_BUCKETS_SCHEMA);
  const previousIt = sideBuckets(previous.positiveSide(), CUSTOM_BUCKETS_SCHEMA);
  const currentRollup = rollup(currentIt);
  const previousRollup = rollup(previousIt);
  let i = 0;
  let j = 0;
  while (i <= currentBounds.length && j <= previousBounds.length) {
    const currentBound = i < currentBounds.length ? currentBounds[i]! : Number.POSITIVE_INFINITY;
    const previousBound = j < previousBounds.length ? previousBounds[j]! : Number.POSITIVE_INFINITY;
    if (currentBound === previousBound) {
      if (currentRollup(currentBound) < previousRollup(currentBound)) return true;
      i++;
      j++;
    } else if (currentBound < previousBound) i++;
    else j++;
  }
  return false;
}

/** A function that sums the not yet consumed buckets of `it` whose upper bound is ≤ its argument. */
function rollup(it: Generator<{ upper: number; count: number }, void, undefined>): (bound: number) => number {
  let pending = it.next();
  return (bound) => {
    let sum = 0;
    while (pending.done !== true && pending.value.upper <= bound) {
      sum += pending.value.count;
      pending = it.next();
    }
    return sum;
  };
}
