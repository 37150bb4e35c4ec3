/**
 * The text of a native histogram as Prometheus's `FloatHistogram.String()` writes it, e.g.
 * `{count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (0.5,1]:1}`: what `count_values` puts in its label.
 */
import { goFloat } from '../engine/annotations.ts';
import type { Bucket } from './bucket.ts';
import type { FloatHistogram } from './float-histogram.ts';

/** Count, sum, then the populated buckets in ascending order of value. */
export function histogramString(h: FloatHistogram): string {
  const parts = [`{count:${goFloat(h.count)}, sum:${goFloat(h.sum)}`];
  const negative = [...h.negativeBucketIterator()].filter((b) => b.count !== 0).reverse();
  for (const b of negative) parts.push(bucketString(b));
  if (h.zeroCount !== 0) parts.push(bucketString(h.zeroBucket()));
  for (const b of h.positiveBucketIterator()) if (b.count !== 0) parts.push(bucketString(b));
  return `${parts.join(', ')}}`;
}

function bucketString(b: Bucket): string {
  const open = b.lowerInclusive ? '[' : '(';
  const close = b.upperInclusive ? ']' : ')';
  return `${open}${goFloat(b.lower)},${goFloat(b.upper)}${close}:${goFloat(b.count)}`;
}
