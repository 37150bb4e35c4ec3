/**
 * Buckets with their bounds, and the iteration over a sparse layout that yields them (Prometheus's
 * `Bucket`, `floatBucketIterator` and `reverseFloatBucketIterator`).
 */
import {
  getBound,
  getBoundExponential,
  isCustomBucketsSchema,
  isExponentialSchema,
  targetIndex,
} from './schema.ts';
import type { Span } from './span.ts';

/**
 * One bucket: `count` observations between `lower` and `upper`, each bound inclusive or not. Exponential
 * buckets are `(lower, upper]` on the positive side and `[lower, upper)` on the negative side; the zero
 * bucket is `[-threshold, threshold]`; custom buckets are `(lower, upper]`, the first `[-Inf, upper]`.
 */
export interface Bucket {
  readonly lower: number;
  readonly upper: number;
  readonly lowerInclusive: boolean;
  readonly upperInclusive: boolean;
  readonly count: number;
  /** The bucket's index in its schema; irrelevant for the zero bucket. */
  readonly index: number;
}

/** A bucket's index and count only: the bounds cost a table lookup or a power, and many loops need neither. */
export interface IndexedCount {
  readonly index: number;
  readonly count: number;
}

/** One side (positive or negative) of a histogram's buckets. */
export interface BucketSide {
  readonly spans: readonly Span[];
  readonly buckets: readonly number[];
  readonly schema: number;
  readonly positive: boolean;
  /** Custom bounds; empty for exponential schemas and for the negative side. */
  readonly customValues: readonly number[];
}

/**
 * The buckets of `side` in ascending index order (away from zero), merged into `targetSchema` (≤ the side's
 * schema) first. For exponential schemas, the leading buckets whose absolute upper bound is ≤
 * `absoluteStartValue` are skipped (those inside a zero bucket of that width).
 */
export function* indexedCounts(
  side: BucketSide,
  targetSchema: number = side.schema,
  absoluteStartValue = 0,
): Generator<IndexedCount, void, undefined> {
  const { spans, buckets, schema } = side;
  let skipping = absoluteStartValue !== 0 && isExponentialSchema(targetSchema);
  let pending: { index: number; count: number } | undefined;
  let index = 0;
  let position = 0;
  for (const span of spans) {
    index += span.offset;
    for (let j = 0; j < span.length; j++, index++, position++) {
      if (position >= buckets.length) break;
      const target = schema === targetSchema ? index : targetIndex(index, schema, targetSchema);
      if (pending !== undefined && pending.index === target) {
        pending.count += buckets[position]!;
        continue;
      }
      if (pending !== undefined) {
        if (!skipping || getBoundExponential(pending.index, targetSchema) > absoluteStartValue) {
          skipping = false;
          yield pending;
        }
      }
      pending = { index: target, count: buckets[position]! };
    }
  }
  if (
    pending !== undefined &&
    (!skipping || getBoundExponential(pending.index, targetSchema) > absoluteStartValue)
  ) {
    yield pending;
  }
}

/**
 * Prometheus's `Bucket.FractionBelow`: the share of the bucket's width at or below `v`, for `v` strictly
 * inside its finite bounds; linear for custom buckets and the zero bucket, on a log2 scale (negative buckets
 * mirrored) for exponential buckets.
 */
export function fractionBelow(b: Bucket, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

/** The bucket at `index` of `side` with its bounds in `schema`. */
export function bucketAt(
  side: BucketSide,
  index: number,
  count: number,
  schema: number = side.schema,
): Bucket {
  const upperBound = getBound(index, schema, side.customValues);
  const lowerBound = getBound(index - 1, schema, side.customValues);
  const lower = side.positive ? lowerBound : -upperBound;
  const upper = side.positive ? upperBound : -lowerBound;
  if (isCustomBucketsSchema(schema)) {
    return { lower, upper, lowerInclusive: index === 0, upperInclusive: true, count, index };
  }
  return { lower, upper, lowerInclusive: lower < 0, upperInclusive: upper > 0, count, index };
}

/**
 * The buckets of `side` in ascending index order, i.e. away from zero: ascending values on the positive side,
 * descending values on the negative side. See {@link indexedCounts} for `targetSchema` and
 * `absoluteStartValue`.
 */
export function* sideBuckets(
  side: BucketSide,
  targetSchema: number = side.schema,
  absoluteStartValue = 0,
): Generator<Bucket, void, undefined> {
  for (const { index, count } of indexedCounts(side, targetSchema, absoluteStartValue)) {
    yield bucketAt(side, index, count, targetSchema);
  }
}

/** The buckets of `side` in descending index order, i.e. towards zero. */
export function* reverseSideBuckets(side: BucketSide): Generator<Bucket, void, undefined> {
  const all = [...indexedCounts(side)];
  for (let i = all.length - 1; i >= 0; i--) yield bucketAt(side, all[i]!.index, all[i]!.count);
}
