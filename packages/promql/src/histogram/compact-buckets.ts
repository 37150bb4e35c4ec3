/**
 * Compaction of a sparse bucket layout (Prometheus's `compactBuckets` for absolute float counts).
 */
import type { Span } from './span.ts';

/** Buckets and the spans that lay them out. */
export interface BucketLayout {
  readonly spans: Span[];
  readonly buckets: number[];
}

/**
 * Drops empty buckets at the edges of spans, merges spans at most `maxEmptyBuckets` apart (filling the gap
 * with empty buckets) and splits spans at runs of more than `maxEmptyBuckets` empty buckets.
 *
 * Prometheus does this in place in several passes; the result is the canonical layout computed here in one:
 * the populated buckets (a NaN count is populated), grouped into one span while the gap between neighbours
 * is at most `maxEmptyBuckets`. The fast path returns the input when nothing would change.
 */
export function compactBuckets(
  spans: readonly Span[],
  buckets: readonly number[],
  maxEmptyBuckets: number,
): BucketLayout {
  if (isCompact(spans, buckets, maxEmptyBuckets)) return { spans: [...spans], buckets: [...buckets] };
  const outSpans: Span[] = [];
  const outBuckets: number[] = [];
  let lastIndex = 0;
  let spanStart = 0;
  let spanLength = 0;
  let index = 0;
  let position = 0;
  for (const span of spans) {
    index += span.offset;
    for (let j = 0; j < span.length; j++, index++, position++) {
      const count = buckets[position];
      if (count === undefined) break;
      if (count === 0) continue;
      const gap = index - lastIndex - 1;
      if (spanLength > 0 && gap <= maxEmptyBuckets) {
        for (let k = 0; k < gap; k++) outBuckets.push(0);
        spanLength += gap + 1;
      } else {
        if (spanLength > 0) outSpans.push({ offset: spanStart, length: spanLength });
        spanStart = outSpans.length === 0 ? index : gap;
        spanLength = 1;
      }
      outBuckets.push(count);
      lastIndex = index;
    }
  }
  if (spanLength > 0) outSpans.push({ offset: spanStart, length: spanLength });
  return { spans: outSpans, buckets: outBuckets };
}

/** No empty bucket, no zero-length span, and every gap between spans longer than `maxEmptyBuckets`. */
function isCompact(spans: readonly Span[], buckets: readonly number[], maxEmptyBuckets: number): boolean {
  for (const count of buckets) if (count === 0) return false;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.length === 0 || (i > 0 && span.offset <= maxEmptyBuckets)) return false;
  }
  return true;
}
