/**
 * Native histogram schemas and their bucket boundaries, as Prometheus defines them
 * (model/histogram/generic.go): exponential schemas -4..8, where each power of two is split into
 * `2^schema` buckets and bucket `i` is `(2^((i-1)/2^schema), 2^(i/2^schema)]`, and the custom-buckets
 * schema -53 ("NHCB"), whose upper bounds are listed in the histogram's `customValues`.
 */
import { PromqlError } from '../errors.ts';
import { EXPONENTIAL_BOUNDS } from './exponential-bounds.ts';

/** Highest exponential schema: each power of two holds 256 buckets. */
export const EXPONENTIAL_SCHEMA_MAX = 8;
/** Lowest exponential schema: each bucket spans a factor of 2^16. */
export const EXPONENTIAL_SCHEMA_MIN = -4;
/** The schema of native histograms with custom buckets (NHCB). */
export const CUSTOM_BUCKETS_SCHEMA = -53;

/** Whether `schema` is the custom-buckets schema. */
export function isCustomBucketsSchema(schema: number): boolean {
  return schema === CUSTOM_BUCKETS_SCHEMA;
}

/** Whether `schema` is one of the exponential schemas -4..8. */
export function isExponentialSchema(schema: number): boolean {
  return schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX;
}

/**
 * The upper bound of bucket `index` (the lower bound is `getBound(index - 1, ...)`). For custom buckets,
 * index `customValues.length` is the `+Inf` bucket and index -1 stands for `-Inf`.
 * @throws PromqlError `PROMQL_EVAL` when a custom-bucket index is outside the custom values.
 */
export function getBound(index: number, schema: number, customValues: readonly number[]): number {
  if (isCustomBucketsSchema(schema)) {
    const length = customValues.length;
    if (index > length || index < -1) {
      throw new PromqlError(
        'PROMQL_EVAL',
        `index ${index} out of bounds for custom bounds of length ${length}`,
      );
    }
    if (index === length) return Number.POSITIVE_INFINITY;
    if (index === -1) return Number.NEGATIVE_INFINITY;
    return customValues[index]!;
  }
  return getBoundExponential(index, schema);
}

/**
 * The upper bound of bucket `index` in an exponential schema. The bucket just below the one counting ±Inf
 * observations ends at `Number.MAX_VALUE`, not at 2^1024 (which is Infinity), as in Prometheus.
 */
export function getBoundExponential(index: number, schema: number): number {
  if (schema < 0) {
    const exp = index * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return 2 ** exp;
  }
  // Bucket indexes fit in int32, so the bit operations below match Go's on int32 (negative indexes too).
  const fraction = EXPONENTIAL_BOUNDS[schema]![index & ((1 << schema) - 1)]!;
  const exp = (index >> schema) + 1;
  if (fraction === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(fraction, exp);
}

/**
 * `fraction * 2^exp` for `fraction` in [0.5, 1), rounded once as Go's `math.Ldexp` rounds it: the powers
 * of two are exact, and a subnormal result is reached by one last multiplication by 2^-53, as Go does.
 */
function ldexp(fraction: number, exp: number): number {
  if (exp > 1023) return fraction * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1021) return fraction * 2 ** (exp + 53) * 2 ** -53;
  return fraction * 2 ** exp;
}

/** The index in `targetSchema` (≤ `originSchema`) of the bucket that holds bucket `index` of `originSchema`. */
export function targetIndex(index: number, originSchema: number, targetSchema: number): number {
  return ((index - 1) >> (originSchema - targetSchema)) + 1;
}
