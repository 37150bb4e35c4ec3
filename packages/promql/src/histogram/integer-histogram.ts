/**
 * Integer native histograms as scraped and stored (Prometheus's `histogram.Histogram`): integer counts,
 * buckets delta-encoded (the first bucket of each side absolute, every further one relative to the previous
 * bucket), converted to the {@link FloatHistogram} PromQL computes with.
 */
import { type CounterResetHint, FloatHistogram } from './float-histogram.ts';
import { isCustomBucketsSchema } from './schema.ts';
import type { Span } from './span.ts';

/** A native histogram with integer counts and delta-encoded buckets. */
export interface IntegerHistogram {
  readonly counterResetHint: CounterResetHint;
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly Span[];
  readonly negativeSpans: readonly Span[];
  /** The first count, then the difference of each bucket to the previous one. */
  readonly positiveBuckets: readonly number[];
  readonly negativeBuckets: readonly number[];
  readonly customValues: readonly number[];
}

/**
 * `h` with absolute float counts (Prometheus's `Histogram.ToFloat`). With custom buckets the zero bucket and
 * the negative side are dropped, as they are unused.
 */
export function integerToFloatHistogram(h: IntegerHistogram): FloatHistogram {
  const custom = isCustomBucketsSchema(h.schema);
  return new FloatHistogram({
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans,
    positiveBuckets: absoluteCounts(h.positiveBuckets),
    ...(custom
      ? { customValues: h.customValues }
      : {
          zeroThreshold: h.zeroThreshold,
          zeroCount: h.zeroCount,
          negativeSpans: h.negativeSpans,
          negativeBuckets: absoluteCounts(h.negativeBuckets),
        }),
  });
}

/** Running sums of delta-encoded bucket counts. */
function absoluteCounts(deltas: readonly number[]): number[] {
  const out = new Array<number>(deltas.length);
  let current = 0;
  for (let i = 0; i < deltas.length; i++) {
    current += deltas[i]!;
    out[i] = current;
  }
  return out;
}
