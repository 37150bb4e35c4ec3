/**
 * Native histograms with custom buckets (NHCB, schema -53) whose bounds differ: Prometheus 3 reconciles
 * them to the bounds both have, rolling the buckets between common bounds up into the next common one.
 */
import { type KahanState, kahanInc } from '../engine/float-math.ts';
import type { BucketLayout } from './compact-buckets.ts';
import type { Span } from './span.ts';

/** Whether two lists of custom bounds are identical (Prometheus's `CustomBucketBoundsMatch`). */
export function customBoundsMatch(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bounds present in both sorted lists (empty when they share none: only `+Inf` is then common). */
export function intersectCustomBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** One custom-bucket histogram's positive side: its layout and its bounds. */
export interface CustomBucketSide {
  readonly spans: readonly Span[];
  readonly buckets: readonly number[];
  readonly bounds: readonly number[];
}

/**
 * `a + b` (or `a - b` with `negate`) on the layout of `intersected` bounds (Prometheus's
 * `addCustomBucketsWithMismatches`): each bucket goes to the first intersected bound at or above its own
 * upper bound, or to `+Inf`. The target buckets are Kahan sums; as in Prometheus, the result holds the running
 * sums without their compensation, and drops the buckets where both are zero.
 */
export function addCustomBucketsWithMismatches(
  negate: boolean,
  a: CustomBucketSide,
  b: CustomBucketSide,
  intersected: readonly number[],
): BucketLayout {
  const targets: KahanState[] = Array.from({ length: intersected.length + 1 }, () => ({ sum: 0, c: 0 }));
  const map = (side: CustomBucketSide, sign: number): void => {
    let sourceIndex = 0;
    let position = 0;
    let intersectIndex = 0;
    for (const span of side.spans) {
      sourceIndex += span.offset;
      for (let k = 0; k < span.length; k++, sourceIndex++, position++) {
        if (position >= side.buckets.length) continue;
        let target = targets.length - 1;
        if (sourceIndex < side.bounds.length) {
          const bound = side.bounds[sourceIndex]!;
          // Both lists are sorted, so the search resumes where the previous bucket left it.
          while (intersectIndex < intersected.length) {
            if (intersected[intersectIndex]! >= bound) {
              target = intersectIndex;
              break;
            }
            intersectIndex++;
          }
        }
        kahanInc(targets[target]!, sign * side.buckets[position]!);
      }
    }
  };
  map(a, 1);
  map(b, negate ? -1 : 1);

  const spans: Span[] = [];
  const buckets: number[] = [];
  let lastIndex = -1;
  for (let i = 0; i < targets.length; i++) {
    const { sum, c } = targets[i]!;
    if (sum === 0 && c === 0) continue;
    buckets.push(sum);
    if (spans.length > 0 && i === lastIndex + 1) {
      const last = spans[spans.length - 1]!;
      spans[spans.length - 1] = { offset: last.offset, length: last.length + 1 };
    } else {
      spans.push({ offset: spans.length === 0 ? i : i - lastIndex - 1, length: 1 });
    }
    lastIndex = i;
  }
  return { spans, buckets };
}
