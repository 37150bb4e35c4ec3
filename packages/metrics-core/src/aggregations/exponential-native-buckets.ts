/**
 * An exponential histogram as a Prometheus native histogram: the same structure (OTel's scale is
 * Prometheus's schema), with Prometheus's bucket numbering and its schema range of -4..8.
 */
import type { ExponentialHistogramSnapshot } from './exponential-histogram.ts';

/** The highest schema Prometheus accepts: finer OTel scales are merged down to it. */
export const MAX_NATIVE_SCHEMA = 8;
/** The lowest schema Prometheus accepts: coarser OTel scales cannot be split, so they have no native form. */
export const MIN_NATIVE_SCHEMA = -4;

/** A run of consecutive buckets: `offset` is the gap to the end of the previous span (the first: the index). */
export interface NativeSpan {
  offset: number;
  length: number;
}

/** The buckets of one side (positive or negative) of a native histogram: spans and absolute counts. */
export interface NativeSide {
  spans: NativeSpan[];
  /** One count per bucket the spans cover, in index order; absolute, not deltas. */
  counts: number[];
}

/** A native histogram's buckets, in Prometheus's numbering. */
export interface NativeBuckets {
  /** -4..8. */
  schema: number;
  /** Values equal to zero: the OTel zero bucket has a threshold of 0. */
  zeroCount: number;
  positive: NativeSide;
  negative: NativeSide;
}

function nativeSide(offset: number, counts: readonly number[], shift: number): NativeSide {
  const spans: NativeSpan[] = [];
  const merged: number[] = [];
  const divisor = 2 ** shift;
  // The index just past the last bucket written, so a span's offset is the gap from it.
  let next = 0;
  let lastIndex = Number.NaN;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count === 0) continue;
    // OTel bucket i holds (base^i, base^(i+1)], Prometheus bucket k holds (base^(k-1), base^k]: k = i + 1.
    // Merging 2^shift buckets into one is a floor division of the index (exact: indices are integers).
    const index = Math.floor((offset + i) / divisor) + 1;
    if (index === lastIndex) {
      merged[merged.length - 1]! += count;
      continue;
    }
    const span = spans[spans.length - 1];
    if (span !== undefined && index === next) span.length++;
    else spans.push({ offset: spans.length === 0 ? index : index - next, length: 1 });
    merged.push(count);
    lastIndex = index;
    next = index + 1;
  }
  return { spans, counts: merged };
}

/**
 * Converts an exponential histogram to native histogram buckets. A scale above 8 is brought to schema 8 by
 * merging each group of `2^(scale - 8)` adjacent buckets, which keeps every count exact (bucket boundaries
 * at the lower schema are boundaries at the higher one too). Empty buckets are left out; spans break at
 * every gap. Returns `undefined` for a scale below -4, which no native histogram can represent (a bucket
 * would span several of the coarsest schema's).
 *
 * Only the scale and the buckets are read, so a collected point's value can be passed as it is.
 *
 * @example
 * ```ts
 * const native = toNativeBuckets({ scale: 10, zeroCount: 0, positive: { offset: 0, bucketCounts: [1, 1, 1, 1] },
 *   negative: { offset: 0, bucketCounts: [] } });
 * // { schema: 8, zeroCount: 0, positive: { spans: [{ offset: 1, length: 1 }], counts: [4] }, ... }
 * ```
 */
export function toNativeBuckets(
  snapshot: Pick<ExponentialHistogramSnapshot, 'scale' | 'zeroCount' | 'positive' | 'negative'>,
): NativeBuckets | undefined {
  const { scale, positive, negative } = snapshot;
  if (scale < MIN_NATIVE_SCHEMA) return undefined;
  const shift = Math.max(0, scale - MAX_NATIVE_SCHEMA);
  return {
    schema: scale - shift,
    zeroCount: snapshot.zeroCount,
    positive: nativeSide(positive.offset, positive.bucketCounts, shift),
    negative: nativeSide(negative.offset, negative.bucketCounts, shift),
  };
}
