/**
 * A native histogram written back in the `.test` notation, as Prometheus's `FloatHistogram.TestExpression`
 * writes it for promqltest's failure messages.
 */
import { goFloat } from '../engine/annotations.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Span } from '../histogram/span.ts';

const hintText = {
  unknown: undefined,
  'counter-reset': 'reset',
  'not-counter-reset': 'not_reset',
  gauge: 'gauge',
} as const;

/** `{{schema:1 count:3 sum:5 buckets:[1 2]}}`: non-zero fields only, buckets compacted into one span each. */
export function histogramText(h: FloatHistogram): string {
  const m = h.copy();
  m.counterResetHint = h.counterResetHint;
  m.compact(Number.MAX_SAFE_INTEGER);
  const parts: string[] = [];
  if (m.schema !== 0) parts.push(`schema:${m.schema}`);
  if (m.count !== 0) parts.push(`count:${goFloat(m.count)}`);
  if (m.sum !== 0) parts.push(`sum:${goFloat(m.sum)}`);
  if (m.zeroCount !== 0) parts.push(`z_bucket:${goFloat(m.zeroCount)}`);
  if (m.zeroThreshold !== 0) parts.push(`z_bucket_w:${goFloat(m.zeroThreshold)}`);
  if (m.usesCustomBuckets()) parts.push(`custom_values:[${m.customValues.map(goFloat).join(' ')}]`);
  const hint = hintText[m.counterResetHint];
  if (hint !== undefined) parts.push(`counter_reset_hint:${hint}`);
  const side = (
    bucketsKey: string,
    offsetKey: string,
    buckets: readonly number[],
    spans: readonly Span[],
  ) => {
    const offset = spans[0]?.offset ?? 0;
    if (offset !== 0) parts.push(`${offsetKey}:${offset}`);
    if (buckets.length > 0) parts.push(`${bucketsKey}:[${buckets.map(goFloat).join(' ')}]`);
  };
  side('buckets', 'offset', m.positiveBuckets, m.positiveSpans);
  side('n_buckets', 'n_offset', m.negativeBuckets, m.negativeSpans);
  return `{{${parts.join(' ')}}}`;
}
