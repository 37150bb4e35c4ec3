/**
 * Histograms written the way Prometheus's Go tests write them (spans as `[offset, length]` pairs or objects,
 * absent fields zero), so that their case tables translate field by field.
 */
import type { Bucket } from '../bucket.ts';
import { type CounterResetHint, FloatHistogram } from '../float-histogram.ts';
import type { Span } from '../span.ts';

type SpanLiteral = readonly [number, number] | Span;

/** A `FloatHistogram{...}` literal of a Go test. */
export interface HistogramLiteral {
  readonly counterResetHint?: CounterResetHint;
  readonly schema?: number;
  readonly zeroThreshold?: number;
  readonly zeroCount?: number;
  readonly count?: number;
  readonly sum?: number;
  readonly positiveSpans?: readonly SpanLiteral[] | undefined;
  readonly negativeSpans?: readonly SpanLiteral[] | undefined;
  readonly positiveBuckets?: readonly number[] | undefined;
  readonly negativeBuckets?: readonly number[] | undefined;
  readonly customValues?: readonly number[] | undefined;
}

function span(literal: SpanLiteral): Span {
  return Array.isArray(literal) ? { offset: literal[0], length: literal[1] } : (literal as Span);
}

/** The histogram a Go test literal describes. */
export function fh(literal: HistogramLiteral): FloatHistogram {
  return new FloatHistogram({
    ...literal,
    positiveSpans: (literal.positiveSpans ?? []).map(span),
    negativeSpans: (literal.negativeSpans ?? []).map(span),
    positiveBuckets: literal.positiveBuckets ?? [],
    negativeBuckets: literal.negativeBuckets ?? [],
    customValues: literal.customValues ?? [],
  });
}

/** A case of `TestFloatHistogramAdd` or `TestFloatHistogramSub`. */
export interface CombineCase {
  readonly name: string;
  readonly in1: FloatHistogram;
  readonly in2: FloatHistogram;
  readonly expected?: FloatHistogram;
  readonly expErrMsg?: string;
  readonly expCounterResetCollision?: boolean;
  readonly expNHCBBoundsReconciled?: boolean;
}

/** A case of `TestAllFloatBucketIterator`. */
export interface AllBucketCase {
  readonly h: FloatHistogram;
  readonly includeNeg: boolean;
  readonly includeZero: boolean;
  readonly includePos: boolean;
}

/** A case of `TestFloatBucketIteratorTargetSchema`: buckets merged into schema -1. */
export interface TargetSchemaCase {
  readonly h: FloatHistogram;
  readonly expPositiveBuckets: readonly Bucket[];
  readonly expNegativeBuckets: readonly Bucket[];
}
