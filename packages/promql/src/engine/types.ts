/**
 * The values a PromQL evaluation returns, and its options. Timestamps are milliseconds since the epoch.
 */
import type { Labels } from '../storage/queryable.ts';

/** One element of an instant vector. */
export interface VectorSample {
  readonly labels: Labels;
  readonly value: number;
}

/** One series of a range vector, or of a range query's result: points in time order. */
export interface MatrixSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A scalar, evaluated at `timestampMs`. */
export interface ScalarValue {
  readonly type: 'scalar';
  readonly timestampMs: number;
  readonly value: number;
}

/** A string literal result. */
export interface StringValue {
  readonly type: 'string';
  readonly timestampMs: number;
  readonly value: string;
}

/** An instant vector evaluated at `timestampMs`; order is meaningful only after `sort`, `topk` and kin. */
export interface VectorValue {
  readonly type: 'vector';
  readonly timestampMs: number;
  readonly samples: readonly VectorSample[];
}

/** A range vector (instant query of a matrix selector or subquery) or a range query's result. */
export interface MatrixValue {
  readonly type: 'matrix';
  /** Sorted by labels, as Prometheus sorts matrix results. */
  readonly series: readonly MatrixSeries[];
}

/** What an instant query can return. */
export type InstantValue = ScalarValue | StringValue | VectorValue | MatrixValue;

/** A result with the annotations Prometheus would attach to it. */
export interface QueryResult<V> {
  readonly value: V;
  /** Messages starting `PromQL warning: `, e.g. a sort in a range query. */
  readonly warnings: readonly string[];
  /** Messages starting `PromQL info: `, e.g. `metric might not be a counter`. */
  readonly infos: readonly string[];
}

/** Options of {@link evaluateInstant} and {@link evaluateRange}. */
export interface EvaluateOptions {
  /** How far back an instant selector looks for a sample; Prometheus's default is 5 minutes. */
  readonly lookbackDeltaMs?: number;
  /** The step of a subquery written without one (`x[1h:]`); Prometheus uses the global evaluation interval, 1 minute by default. */
  readonly defaultSubqueryStepMs?: number;
  /** Abort with a `PROMQL_TIMEOUT` error once evaluation has run this long. */
  readonly timeoutMs?: number;
  /**
   * Abort with a `PROMQL_TOO_MANY_SAMPLES` error once the query has loaded more samples from the data
   * source than this, counted over all selectors. Prometheus counts peak samples in memory instead, so
   * the two limits are related but not equal.
   */
  readonly maxSamples?: number;
}
