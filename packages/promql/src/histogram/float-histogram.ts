/**
 * The native histogram value of PromQL: Prometheus's `FloatHistogram` (model/histogram/float_histogram.go),
 * with its arithmetic, layout and counter-reset semantics. Bucket counts are absolute floats, so the same
 * type holds integer histograms from storage and the fractional results of `rate` or `/`.
 *
 * Like Prometheus's, the arithmetic methods change the receiver and return it (or a result); callers that
 * must keep an operand intact call {@link FloatHistogram.copy} first, as the engine does for stored samples.
 */

import { PromqlError } from '../errors.ts';
import { addBuckets } from './add-buckets.ts';
import { type Bucket, type BucketSide, reverseSideBuckets, sideBuckets } from './bucket.ts';
import { compactBuckets } from './compact-buckets.ts';
import {
  addCustomBucketsWithMismatches,
  customBoundsMatch,
  intersectCustomBounds,
} from './custom-buckets.ts';
import { detectReset } from './detect-reset.ts';
import { reduceResolution } from './reduce-resolution.ts';
import { isCustomBucketsSchema } from './schema.ts';
import { type Span, spansMatch } from './span.ts';
import { reconcileZeroBuckets } from './zero-bucket.ts';

/**
 * What a histogram says about counter resets (Prometheus's `CounterResetHint`): `unknown` (to be detected
 * from the previous sample), `counter-reset` (one happened right before this sample), `not-counter-reset`,
 * or `gauge` (a gauge histogram, where resets do not exist).
 */
export type CounterResetHint = 'unknown' | 'counter-reset' | 'not-counter-reset' | 'gauge';

/** The fields of a {@link FloatHistogram}; every one is optional and defaults to zero or empty. */
export interface FloatHistogramInit {
  readonly counterResetHint?: CounterResetHint;
  readonly schema?: number;
  readonly zeroThreshold?: number;
  readonly zeroCount?: number;
  readonly count?: number;
  readonly sum?: number;
  readonly positiveSpans?: readonly Span[];
  readonly negativeSpans?: readonly Span[];
  readonly positiveBuckets?: readonly number[];
  readonly negativeBuckets?: readonly number[];
  readonly customValues?: readonly number[];
}

/** The outcome of {@link FloatHistogram.add} and {@link FloatHistogram.sub}. */
export type HistogramCombineResult =
  | {
      readonly ok: true;
      /** One operand said `counter-reset`, the other `not-counter-reset`; the result says `unknown`. */
      readonly counterResetCollision: boolean;
      /** The operands had different custom bounds; the result has the bounds common to both. */
      readonly nhcbBoundsReconciled: boolean;
    }
  | {
      readonly ok: false;
      /** One operand has exponential buckets and the other custom buckets; the receiver is unchanged. */
      readonly error: 'mixed-schemas';
    };

/** Prometheus's `ErrHistogramsIncompatibleSchema` message, for the annotations the engine derives from it. */
export const MIXED_SCHEMAS_MESSAGE =
  'cannot apply this operation on histograms with a mix of exponential and custom bucket schemas';

/** A native histogram sample with absolute float bucket counts. */
export class FloatHistogram {
  counterResetHint: CounterResetHint;
  /** -4..8 for exponential buckets, -53 for custom buckets. */
  schema: number;
  /** Half the width of the zero bucket `[-zeroThreshold, zeroThreshold]`. Unused with custom buckets. */
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: Span[];
  negativeSpans: Span[];
  positiveBuckets: number[];
  negativeBuckets: number[];
  /**
   * The upper bounds of custom buckets, strictly increasing, `+Inf` implied; empty for exponential schemas.
   * Never mutated, so histograms share the array as Prometheus shares its interned slice.
   */
  customValues: readonly number[];

  constructor(init: FloatHistogramInit = {}) {
    this.counterResetHint = init.counterResetHint ?? 'unknown';
    this.schema = init.schema ?? 0;
    this.zeroThreshold = init.zeroThreshold ?? 0;
    this.zeroCount = init.zeroCount ?? 0;
    this.count = init.count ?? 0;
    this.sum = init.sum ?? 0;
    this.positiveSpans = [...(init.positiveSpans ?? [])];
    this.negativeSpans = [...(init.negativeSpans ?? [])];
    this.positiveBuckets = [...(init.positiveBuckets ?? [])];
    this.negativeBuckets = [...(init.negativeBuckets ?? [])];
    this.customValues = init.customValues ?? [];
  }

  /** Whether the histogram has custom buckets (schema -53). */
  usesCustomBuckets(): boolean {
    return isCustomBucketsSchema(this.schema);
  }

  /** The positive buckets, for the iteration helpers. */
  positiveSide(): BucketSide {
    const { positiveSpans: spans, positiveBuckets: buckets, schema, customValues } = this;
    return { spans, buckets, schema, positive: true, customValues };
  }

  /** The negative buckets, for the iteration helpers. */
  negativeSide(): BucketSide {
    const { negativeSpans: spans, negativeBuckets: buckets, schema } = this;
    return { spans, buckets, schema, positive: false, customValues: [] };
  }

  /** A deep copy (custom values shared). Fields a custom-bucket histogram does not use are not copied. */
  copy(): FloatHistogram {
    const custom = this.usesCustomBuckets();
    return new FloatHistogram({
      counterResetHint: this.counterResetHint,
      schema: this.schema,
      count: this.count,
      sum: this.sum,
      positiveSpans: this.positiveSpans,
      positiveBuckets: this.positiveBuckets,
      ...(custom
        ? { customValues: this.customValues }
        : {
            zeroThreshold: this.zeroThreshold,
            zeroCount: this.zeroCount,
            negativeSpans: this.negativeSpans,
            negativeBuckets: this.negativeBuckets,
          }),
    });
  }

  /**
   * A deep copy in the lower resolution `targetSchema` (≤ the schema), each bucket the sum of the buckets it
   * covers. The counter reset hint is not kept, as in Prometheus.
   * @throws PromqlError `PROMQL_EVAL` for custom buckets or a higher target schema (a programming error).
   */
  copyToSchema(targetSchema: number): FloatHistogram {
    if (targetSchema === this.schema) return this.copy();
    if (this.usesCustomBuckets()) {
      throw new PromqlError(
        'PROMQL_EVAL',
        `cannot reduce resolution to ${targetSchema} when there are custom buckets`,
      );
    }
    if (isCustomBucketsSchema(targetSchema)) {
      throw new PromqlError('PROMQL_EVAL', 'cannot reduce resolution to custom buckets schema');
    }
    if (targetSchema > this.schema) {
      throw new PromqlError('PROMQL_EVAL', `cannot copy from schema ${this.schema} to ${targetSchema}`);
    }
    const positive = reduceResolution(this.positiveSpans, this.positiveBuckets, this.schema, targetSchema);
    const negative = reduceResolution(this.negativeSpans, this.negativeBuckets, this.schema, targetSchema);
    return new FloatHistogram({
      schema: targetSchema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      count: this.count,
      sum: this.sum,
      positiveSpans: positive.spans,
      positiveBuckets: positive.buckets,
      negativeSpans: negative.spans,
      negativeBuckets: negative.buckets,
    });
  }

  /**
   * The zero bucket `[-zeroThreshold, zeroThreshold]`.
   * @throws PromqlError `PROMQL_EVAL` for custom buckets, which have none.
   */
  zeroBucket(): Bucket {
    if (this.usesCustomBuckets()) {
      throw new PromqlError('PROMQL_EVAL', 'histograms with custom buckets have no zero bucket');
    }
    const t = this.zeroThreshold;
    return {
      lower: -t,
      upper: t,
      lowerInclusive: true,
      upperInclusive: true,
      count: this.zeroCount,
      index: 0,
    };
  }

  /** Scales every count and the sum by `factor`, in place; a negative factor makes it a gauge histogram. */
  mul(factor: number): this {
    this.zeroCount *= factor;
    this.count *= factor;
    this.sum *= factor;
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! *= factor;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! *= factor;
    if (factor < 0) this.counterResetHint = 'gauge';
    return this;
  }

  /**
   * Divides every count and the sum by `scalar`, in place. Dividing by zero sets count, sum and zero count to
   * ±Inf or NaN and removes all buckets (the hint is then kept); a negative divisor makes it a gauge histogram.
   */
  div(scalar: number): this {
    this.zeroCount /= scalar;
    this.count /= scalar;
    this.sum /= scalar;
    if (scalar === 0) {
      this.positiveSpans = [];
      this.negativeSpans = [];
      this.positiveBuckets = [];
      this.negativeBuckets = [];
      return this;
    }
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! /= scalar;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! /= scalar;
    if (scalar < 0) this.counterResetHint = 'gauge';
    return this;
  }

  /**
   * Adds `other` to this histogram in place. The result has the lower of the two schemas and a zero bucket
   * wide enough for both; custom buckets with different bounds are reduced to the common bounds. The result
   * may hold empty buckets and adjacent spans: call {@link compact} to normalize. `other` is not changed.
   */
  add(other: FloatHistogram): HistogramCombineResult {
    return this.combine(other, false);
  }

  /**
   * Subtracts `other` from this histogram in place, like {@link add}. The hint is reconciled as for `add`
   * (right for incremental means); the `-` operator sets `gauge` afterwards.
   */
  sub(other: FloatHistogram): HistogramCombineResult {
    return this.combine(other, true);
  }

  private combine(other: FloatHistogram, negate: boolean): HistogramCombineResult {
    if (this.usesCustomBuckets() !== other.usesCustomBuckets()) return { ok: false, error: 'mixed-schemas' };
    const counterResetCollision = this.adjustCounterReset(other);
    if (!this.usesCustomBuckets()) {
      const otherZeroCount = reconcileZeroBuckets(this, other);
      this.zeroCount = negate ? this.zeroCount - otherZeroCount : this.zeroCount + otherZeroCount;
    }
    this.count = negate ? this.count - other.count : this.count + other.count;
    this.sum = negate ? this.sum - other.sum : this.sum + other.sum;

    if (this.usesCustomBuckets()) {
      if (customBoundsMatch(this.customValues, other.customValues)) {
        const sum = addBuckets(
          this.schema,
          this.zeroThreshold,
          negate,
          this.positiveSpans,
          this.positiveBuckets,
          other.positiveSpans,
          other.positiveBuckets,
        );
        this.positiveSpans = sum.spans;
        this.positiveBuckets = sum.buckets;
        return { ok: true, counterResetCollision, nhcbBoundsReconciled: false };
      }
      const intersected = intersectCustomBounds(this.customValues, other.customValues);
      const sum = addCustomBucketsWithMismatches(
        negate,
        { spans: this.positiveSpans, buckets: this.positiveBuckets, bounds: this.customValues },
        { spans: other.positiveSpans, buckets: other.positiveBuckets, bounds: other.customValues },
        intersected,
      );
      this.positiveSpans = sum.spans;
      this.positiveBuckets = sum.buckets;
      this.customValues = intersected;
      return { ok: true, counterResetCollision, nhcbBoundsReconciled: true };
    }

    let otherPositive = { spans: other.positiveSpans, buckets: other.positiveBuckets };
    let otherNegative = { spans: other.negativeSpans, buckets: other.negativeBuckets };
    if (other.schema < this.schema) {
      const positive = reduceResolution(this.positiveSpans, this.positiveBuckets, this.schema, other.schema);
      const negative = reduceResolution(this.negativeSpans, this.negativeBuckets, this.schema, other.schema);
      this.positiveSpans = positive.spans;
      this.positiveBuckets = positive.buckets;
      this.negativeSpans = negative.spans;
      this.negativeBuckets = negative.buckets;
      this.schema = other.schema;
    } else if (other.schema > this.schema) {
      otherPositive = reduceResolution(other.positiveSpans, other.positiveBuckets, other.schema, this.schema);
      otherNegative = reduceResolution(other.negativeSpans, other.negativeBuckets, other.schema, this.schema);
    }
    const positive = addBuckets(
      this.schema,
      this.zeroThreshold,
      negate,
      this.positiveSpans,
      this.positiveBuckets,
      otherPositive.spans,
      otherPositive.buckets,
    );
    const negative = addBuckets(
      this.schema,
      this.zeroThreshold,
      negate,
      this.negativeSpans,
      this.negativeBuckets,
      otherNegative.spans,
      otherNegative.buckets,
    );
    this.positiveSpans = positive.spans;
    this.positiveBuckets = positive.buckets;
    this.negativeSpans = negative.spans;
    this.negativeBuckets = negative.buckets;
    return { ok: true, counterResetCollision, nhcbBoundsReconciled: false };
  }

  /**
   * The hint of a sum or difference (Prometheus's `adjustCounterReset`): equal hints stay, a gauge operand
   * makes a gauge, an unknown one makes unknown; `counter-reset` against `not-counter-reset` is a collision
   * and makes unknown. Changes this histogram's hint; returns whether the hints collided.
   */
  adjustCounterReset(other: FloatHistogram): boolean {
    const mine = this.counterResetHint;
    const theirs = other.counterResetHint;
    if (theirs === mine || mine === 'gauge') return false;
    if (theirs === 'gauge') {
      this.counterResetHint = 'gauge';
      return false;
    }
    if (mine === 'unknown') return false;
    this.counterResetHint = 'unknown';
    return theirs !== 'unknown';
  }

  /**
   * Whether both histograms hold exactly the same data: same schema, zero bucket and bucket layout (spans
   * may differ by zero-length spans only), and counts, sum and bucket counts with the same bit pattern (so
   * NaN equals NaN). Fields a custom-bucket histogram does not use are compared anyway, as in Prometheus; the
   * counter reset hint is not compared.
   */
  equals(other: FloatHistogram): boolean {
    if (
      this.schema !== other.schema ||
      !sameBits(this.count, other.count) ||
      !sameBits(this.sum, other.sum)
    ) {
      return false;
    }
    if (this.usesCustomBuckets() && !customBoundsMatch(this.customValues, other.customValues)) return false;
    return (
      this.zeroThreshold === other.zeroThreshold &&
      sameBits(this.zeroCount, other.zeroCount) &&
      spansMatch(this.negativeSpans, other.negativeSpans) &&
      bucketsMatch(this.negativeBuckets, other.negativeBuckets) &&
      spansMatch(this.positiveSpans, other.positiveSpans) &&
      bucketsMatch(this.positiveBuckets, other.positiveBuckets)
    );
  }

  /**
   * Normalizes the layout in place: no empty bucket at the edge of a span, spans at most `maxEmptyBuckets`
   * apart merged, runs of more than `maxEmptyBuckets` empty buckets split out. `compact(0)` is the usual form.
   */
  compact(maxEmptyBuckets: number): this {
    const positive = compactBuckets(this.positiveSpans, this.positiveBuckets, maxEmptyBuckets);
    const negative = compactBuckets(this.negativeSpans, this.negativeBuckets, maxEmptyBuckets);
    this.positiveSpans = positive.spans;
    this.positiveBuckets = positive.buckets;
    this.negativeSpans = negative.spans;
    this.negativeBuckets = negative.buckets;
    return this;
  }

  /**
   * Whether a counter reset happened between `previous` and this histogram: a bucket populated before is
   * missing or lower, or the count or zero count is lower (the sum does not count). The hints
   * `counter-reset` and `not-counter-reset` answer directly. A higher resolution, a narrower zero bucket or
   * a widened one that cuts a populated bucket can only come from a reset.
   */
  detectReset(previous: FloatHistogram): boolean {
    return detectReset(this, previous);
  }

  /** Positive buckets from zero upwards. */
  positiveBucketIterator(): Generator<Bucket, void, undefined> {
    return sideBuckets(this.positiveSide());
  }

  /** Negative buckets from zero downwards. */
  negativeBucketIterator(): Generator<Bucket, void, undefined> {
    return sideBuckets(this.negativeSide());
  }

  /** Positive buckets from the highest down to zero. */
  positiveReverseBucketIterator(): Generator<Bucket, void, undefined> {
    return reverseSideBuckets(this.positiveSide());
  }

  /** Negative buckets from the lowest up to zero. */
  negativeReverseBucketIterator(): Generator<Bucket, void, undefined> {
    return reverseSideBuckets(this.negativeSide());
  }

  /**
   * All buckets in ascending order of value: negative, the zero bucket (when populated), positive, as
   * `histogram_quantile` and `histogram_fraction` walk them. A bucket that overlaps the zero bucket has its
   * bound moved to the zero threshold.
   */
  *allBucketIterator(): Generator<Bucket, void, undefined> {
    for (const b of this.negativeReverseBucketIterator()) yield this.clipToZeroBucket(b);
    if (this.zeroCount > 0) yield this.zeroBucket();
    for (const b of this.positiveBucketIterator()) yield this.clipToZeroBucket(b);
  }

  /** All buckets in descending order of value: positive, the zero bucket (when populated), negative. */
  *allReverseBucketIterator(): Generator<Bucket, void, undefined> {
    for (const b of this.positiveReverseBucketIterator()) yield this.clipToZeroBucket(b);
    if (this.zeroCount > 0) yield this.zeroBucket();
    for (const b of this.negativeBucketIterator()) yield this.clipToZeroBucket(b);
  }

  private clipToZeroBucket(b: Bucket): Bucket {
    const t = this.zeroThreshold;
    if (b.upper < 0 && b.upper > -t) return { ...b, upper: -t };
    if (b.lower > 0 && b.lower < t) return { ...b, lower: t };
    return b;
  }
}

/** Equality of bit patterns: NaN equals NaN, and 0 differs from -0. */
function sameBits(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b))
    return Number.isNaN(a) && Number.isNaN(b) && nanBits(a) === nanBits(b);
  return Object.is(a, b);
}

const bitsView = new DataView(new ArrayBuffer(8));

/** The raw bits of a NaN, since NaN payloads (the staleness marker among them) differ. */
function nanBits(value: number): bigint {
  bitsView.setFloat64(0, value);
  return bitsView.getBigUint64(0);
}

function bucketsMatch(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => sameBits(v, b[i]!));
}
