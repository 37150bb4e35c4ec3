/**
 * Prometheus's `FloatHistogram.Validate` (model/histogram/float_histogram.go): the checks its TSDB runs on
 * every appended native histogram sample, so that the engine never meets a layout it cannot walk.
 */
import type { FloatHistogram } from './float-histogram.ts';
import { isCustomBucketsSchema, isExponentialSchema } from './schema.ts';
import type { Span } from './span.ts';

function checkSpans(spans: readonly Span[], numBuckets: number): string | undefined {
  let spanBuckets = 0;
  for (let n = 0; n < spans.length; n++) {
    const span = spans[n]!;
    if (n > 0 && span.offset < 0)
      return `span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`;
    spanBuckets += span.length;
  }
  if (spanBuckets !== numBuckets) {
    return `spans need ${spanBuckets} buckets, have ${numBuckets} buckets: histogram spans specify different number of buckets than provided`;
  }
  return undefined;
}

function checkBuckets(buckets: readonly number[]): string | undefined {
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]!;
    if (c < 0)
      return `bucket number ${i + 1} has observation count of ${c}: histogram has a bucket whose observation count is negative`;
  }
  return undefined;
}

function checkCustomBounds(h: FloatHistogram): string | undefined {
  const bounds = h.customValues;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < bounds.length; i++) {
    const curr = bounds[i]!;
    if (Number.isNaN(curr)) return 'histogram custom bounds must not be NaN';
    if (i > 0 && curr <= prev)
      return 'histogram custom bounds are invalid: bounds must be strictly increasing';
    prev = curr;
  }
  if (prev === Number.POSITIVE_INFINITY) return 'last +Inf bound must not be explicitly defined';
  let spanBuckets = 0;
  let totalSpanLength = 0;
  for (let n = 0; n < h.positiveSpans.length; n++) {
    const span = h.positiveSpans[n]!;
    if (span.offset < 0)
      return `span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`;
    spanBuckets += span.length;
    totalSpanLength += span.length + span.offset;
  }
  if (spanBuckets !== h.positiveBuckets.length) {
    return `spans need ${spanBuckets} buckets, have ${h.positiveBuckets.length} buckets: histogram spans specify different number of buckets than provided`;
  }
  if (bounds.length + 1 < totalSpanLength) {
    return `only ${bounds.length} custom bounds defined which is insufficient to cover total span length of ${totalSpanLength}`;
  }
  return undefined;
}

/**
 * Why `h` is not a valid native histogram sample, or `undefined` when it is: a schema outside -4..8 and
 * -53, spans that do not add up to the buckets (or a negative offset after the first span), a negative
 * count, zero count or bucket count, custom bounds that are not strictly increasing, and for custom buckets a
 * zero bucket or negative buckets. As in Prometheus, `count` is not checked against the sum of the buckets
 * (rounding would make that check fail on valid data).
 */
export function validateHistogram(h: FloatHistogram): string | undefined {
  if (isCustomBucketsSchema(h.schema)) {
    const bounds = checkCustomBounds(h);
    if (bounds !== undefined) return `custom buckets: ${bounds}`;
    if (h.zeroCount !== 0) return 'custom buckets: must have zero count of 0';
    if (h.zeroThreshold !== 0) return 'custom buckets: must have zero threshold of 0';
    if (h.negativeSpans.length > 0) return 'custom buckets: must not have negative spans';
    if (h.negativeBuckets.length > 0) return 'custom buckets: must not have negative buckets';
  } else if (isExponentialSchema(h.schema)) {
    const positive = checkSpans(h.positiveSpans, h.positiveBuckets.length);
    if (positive !== undefined) return `positive side: ${positive}`;
    const negative = checkSpans(h.negativeSpans, h.negativeBuckets.length) ?? checkBuckets(h.negativeBuckets);
    if (negative !== undefined) return `negative side: ${negative}`;
    if (h.zeroCount < 0)
      return `zero bucket has observation count of ${h.zeroCount}: histogram has a bucket whose observation count is negative`;
    if (h.customValues.length > 0) return 'histogram with exponential schema must not have custom bounds';
  } else {
    return `invalid histogram schema ${h.schema}`;
  }
  if (h.count < 0)
    return `observation count is  ${h.count}: histogram has an observation count that is negative`;
  const positive = checkBuckets(h.positiveBuckets);
  return positive === undefined ? undefined : `positive side: ${positive}`;
}
