/**
 * Adding one sparse bucket layout into another (Prometheus's `addBuckets`), the core of histogram
 * addition and subtraction.
 */
import type { BucketLayout } from './compact-buckets.ts';
import { getBoundExponential, isExponentialSchema } from './schema.ts';
import type { Span } from './span.ts';

/**
 * Adds (or, with `negate`, subtracts) the buckets `spansB`/`bucketsB` to `spansA`/`bucketsA`, inserting the
 * buckets A lacks; both use `schema`. Buckets of B whose absolute upper bound is ≤ `threshold` are skipped:
 * they belong to the zero bucket, which the caller has already reconciled.
 *
 * `spansA` and `bucketsA` are changed in place and returned (as Prometheus reuses the receiver's slices).
 * The result may hold empty buckets and adjacent spans; the layout follows Prometheus step by step (a new
 * bucket extends the span before or after it, or opens a span of its own), so that spans compare as they
 * do in Prometheus before compaction.
 */
export function addBuckets(
  schema: number,
  threshold: number,
  negate: boolean,
  spansA: Span[],
  bucketsA: number[],
  spansB: readonly Span[],
  bucketsB: readonly number[],
): BucketLayout {
  let iSpan = -1;
  let iBucket = -1;
  let iInSpan = 0;
  let indexA = 0;
  let indexB = 0;
  let positionB = 0;
  let belowThreshold = true;
  const exponential = isExponentialSchema(schema);

  for (const spanB of spansB) {
    indexB += spanB.offset;
    for (let j = 0; j < spanB.length; j++, indexA = indexB, indexB++, positionB++) {
      if (belowThreshold && exponential && getBoundExponential(indexB, schema) <= threshold) continue;
      belowThreshold = false;
      const bucketB = negate ? -bucketsB[positionB]! : bucketsB[positionB]!;

      if (iSpan === -1) {
        const first = spansA[0];
        if (first === undefined || first.offset > indexB) {
          // Before all of A's buckets.
          bucketsA.unshift(bucketB);
          if (first !== undefined && first.offset === indexB + 1) {
            spansA[0] = { offset: first.offset - 1, length: first.length + 1 };
            continue;
          }
          spansA.unshift({ offset: indexB, length: 1 });
          // The formerly first span's absolute offset becomes relative to the new one.
          if (first !== undefined) spansA[1] = { offset: first.offset - (indexB + 1), length: first.length };
          continue;
        }
        if (first.offset === indexB) {
          bucketsA[0]! += bucketB;
          continue;
        }
        iSpan = 0;
        iBucket = 0;
        iInSpan = 0;
        indexA = first.offset;
      }

      let deltaIndex = indexB - indexA;
      for (;;) {
        const remainingInSpan = spansA[iSpan]!.length - iInSpan;
        if (deltaIndex < remainingInSpan) {
          // In the current span.
          iBucket += deltaIndex;
          iInSpan += deltaIndex;
          bucketsA[iBucket]! += bucketB;
          break;
        }
        deltaIndex -= remainingInSpan;
        iBucket += remainingInSpan;
        iSpan++;
        const next = spansA[iSpan];
        if (next !== undefined && deltaIndex >= next.offset) {
          // Try the start of the next span.
          deltaIndex -= next.offset;
          iInSpan = 0;
          continue;
        }
        // In the gap after the previous span, or after the last span.
        bucketsA.splice(iBucket, 0, bucketB);
        if (deltaIndex === 0) {
          // Right after the previous span: extend it.
          if (next !== undefined) spansA[iSpan] = { offset: next.offset - 1, length: next.length };
          iSpan--;
          const previous = spansA[iSpan]!;
          iInSpan = previous.length;
          spansA[iSpan] = { offset: previous.offset, length: previous.length + 1 };
        } else if (next !== undefined && deltaIndex === next.offset - 1) {
          // Right before the next span: extend it.
          iInSpan = 0;
          spansA[iSpan] = { offset: next.offset - 1, length: next.length + 1 };
        } else {
          // A span of its own.
          iInSpan = 0;
          if (next !== undefined)
            spansA[iSpan] = { offset: next.offset - (deltaIndex + 1), length: next.length };
          spansA.splice(iSpan, 0, { offset: deltaIndex, length: 1 });
        }
        break;
      }
    }
  }
  return { spans: spansA, buckets: bucketsA };
}
