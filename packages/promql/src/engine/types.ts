/**
 * The values a PromQL evaluation returns, and its options. Timestamps are milliseconds since the epoch.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../storage/queryable.ts';

/** One element of an instant vector. */
export interface VectorSample {
  readonly labels: Labels;
  /** The float value; 0 when the sample is a native histogram. */
  readonly value: number;
  /** Set when the sample is a native histogram. */
  readonly histogram?: FloatHistogram | undefined;
}

/** One series of a range vector, or of a range query's result: points in time order. */
export interface MatrixSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  /** The float value of each point; 0 where the point is a native histogram. */
  readonly values: Float64Array;
  /**
   * Set only when some point is a native histogram: one entry per point, the histogram or `undefined` for a
   * float point.
   */
  readonly histograms?: readonly (FloatHistogram | undefined)[] | undefined;
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
  /**
   * Abort with a `PROMQL_TIMEOUT` error ("query timed out in expression evaluation") once evaluation has
   * run this many milliseconds. The deadline is checked inside every loop that can run long (per series,
   * per block of steps, per window of a range function), so a query stops within about a millisecond of
   * work after it; only a single allocation or regex match on one label value runs to its end first.
   * Default: no deadline.
   */
  readonly timeoutMs?: number;
  /**
   * Abort with a `PROMQL_TOO_MANY_SAMPLES` error ("query processing would load too many samples into
   * memory in query execution") once the query would hold more samples than this at one time, counted
   * as Prometheus counts `--query.max-samples`: every node's output (a scalar holds one sample per step,
   * an instant vector one per series and step where it has a value, a range vector its points) is held
   * until its parent has produced its own, and the points a range selector or subquery provides are held
   * while its function runs (all series' points at once: Prometheus, which slides one series' window at
   * a time, counts fewer there). Nodes that can produce more than they read are checked series by series
   * as they produce. A step grid with more steps than there are samples left fails before it is
   * allocated. Default: no limit (grids are still capped at 50M steps).
   */
  readonly maxSamples?: number;
}
