/**
 * Reducing the resolution of exponential buckets (Prometheus's `reduceResolution` for absolute counts).
 */
import type { BucketLayout } from './compact-buckets.ts';
import { targetIndex } from './schema.ts';
import type { Span } from './span.ts';

/**
 * The buckets of `originSchema` merged into the wider buckets of `targetSchema` (≤ `originSchema`): each
 * target bucket holds the sum of the origin buckets it covers. Empty buckets are kept, as in Prometheus;
 * only the layout changes. The inputs are not modified.
 */
export function reduceResolution(
  spans: readonly Span[],
  buckets: readonly number[],
  originSchema: number,
  targetSchema: number,
): BucketLayout {
  const targetSpans: Span[] = [];
  const targetBuckets: number[] = [];
  let index = 0;
  let position = 0;
  let lastTarget = 0;
  for (const span of spans) {
    index += span.offset;
    for (let j = 0; j < span.length; j++, index++, position++) {
      const count = buckets[position]!;
      const target = targetIndex(index, originSchema, targetSchema);
      if (targetSpans.length === 0) {
        targetSpans.push({ offset: target, length: 1 });
        targetBuckets.push(count);
      } else if (target === lastTarget) {
        targetBuckets[targetBuckets.length - 1]! += count;
      } else if (target === lastTarget + 1) {
        const last = targetSpans[targetSpans.length - 1]!;
        targetSpans[targetSpans.length - 1] = { offset: last.offset, length: last.length + 1 };
        targetBuckets.push(count);
      } else {
        targetSpans.push({ offset: target - lastTarget - 1, length: 1 });
        targetBuckets.push(count);
      }
      lastTarget = target;
    }
  }
  return { spans: targetSpans, buckets: targetBuckets };
}
