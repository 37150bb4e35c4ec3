/**
 * The JSON form of a native histogram sample in Prometheus's HTTP API (`jsonutil.MarshalHistogram`, used by
 * web/api/v1 for `/query`, `/query_range` and federation-style readers such as Grafana).
 */
import type { FloatHistogram } from './float-histogram.ts';

/**
 * How a bucket's bounds are closed: 0 `(lower, upper]`, 1 `[lower, upper)`, 2 `(lower, upper)`,
 * 3 `[lower, upper]`.
 */
export type BoundaryRule = 0 | 1 | 2 | 3;

/** One bucket: boundary rule, lower bound, upper bound, count; numbers as strings. */
export type ApiHistogramBucket = readonly [BoundaryRule, string, string, string];

/** A histogram as the API writes it; `buckets` is absent when no bucket is populated. */
export interface ApiHistogram {
  readonly count: string;
  readonly sum: string;
  readonly buckets?: readonly ApiHistogramBucket[];
}

/**
 * The API's JSON object for `h`: count, sum, and the populated buckets in ascending order (negative, zero,
 * positive), bounds clipped to the zero bucket as `allBucketIterator` yields them.
 *
 * @example
 * ```ts
 * toApiHistogram(new FloatHistogram({ count: 4, sum: 5, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 3] }))
 * // { count: '4', sum: '5', buckets: [[0, '0.5', '1', '1'], [0, '1', '2', '3']] }
 * ```
 */
export function toApiHistogram(h: FloatHistogram): ApiHistogram {
  const buckets: ApiHistogramBucket[] = [];
  for (const b of h.allBucketIterator()) {
    if (b.count === 0) continue;
    const rule: BoundaryRule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : b.upperInclusive ? 0 : 2;
    buckets.push([
      rule,
      formatApiJsonFloat(b.lower),
      formatApiJsonFloat(b.upper),
      formatApiJsonFloat(b.count),
    ]);
  }
  const count = formatApiJsonFloat(h.count);
  const sum = formatApiJsonFloat(h.sum);
  return buckets.length === 0 ? { count, sum } : { count, sum, buckets };
}

/**
 * A float as `jsonutil.MarshalFloat` writes it: Go's shortest round-trip digits, in exponent form below 1e-6
 * and from 1e21 (the same cut-offs as JavaScript's, but Go writes at least two exponent digits: `1e-07`).
 */
export function formatApiJsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}
