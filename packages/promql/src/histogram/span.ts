/**
 * Spans: the run-length layout of a native histogram's sparse buckets (Prometheus's `histogram.Span`).
 */

/**
 * A run of `length` consecutive buckets. `offset` is the gap (≥ 0) after the previous span, or, for the first
 * span, the index of its first bucket (which may be negative). Spans are values: code that changes a layout
 * replaces them rather than mutating them, so histograms may share span objects.
 */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** Whether two span lists are the same, span for span (a cheaper, stricter test than {@link spansMatch}). */
export function sameSpans(a: readonly Span[], b: readonly Span[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.offset !== b[i]!.offset || a[i]!.length !== b[i]!.length) return false;
  }
  return true;
}

/**
 * Whether two span lists describe the same bucket layout, ignoring zero-length spans (whose offsets
 * carry over to the next span). Adjacent spans (offset 0) are not merged: `[{0,2},{0,1}]` and `[{0,3}]`
 * differ, as in Prometheus's `spansMatch`.
 */
export function spansMatch(a: readonly Span[], b: readonly Span[]): boolean {
  const left = withoutEmptySpans(a);
  const right = withoutEmptySpans(b);
  if (left.length !== right.length) return false;
  return left.every((span, i) => span.offset === right[i]!.offset && span.length === right[i]!.length);
}

/** `spans` with each zero-length span folded into the offset of the next one (dropped when last). */
function withoutEmptySpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  let carry = 0;
  for (const span of spans) {
    if (span.length === 0) {
      carry += span.offset;
      continue;
    }
    out.push(carry === 0 ? span : { offset: span.offset + carry, length: span.length });
    carry = 0;
  }
  return out;
}
