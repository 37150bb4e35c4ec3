/**
 * The evaluator's working representation. Like Prometheus, every expression is evaluated over all
 * steps of the query at once (an instant query is a range query with one step); an instant vector
 * then becomes a set of series with one optional value per step.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../storage/queryable.ts';
import { checkDeadline, type EvalLimits, STEP_BLOCK } from './context.ts';

/** One series of an instant-vector expression over the steps of the evaluation. */
export interface StepSeries {
  labels: Labels;
  /**
   * Whether `__name__` (and the other metadata labels) must be removed from the final result. Like
   * Prometheus 3 (delayed name removal), the name stays visible to later operations such as
   * `label_replace` or `by (__name__)` until the query ends.
   */
  dropName: boolean;
  /** One value per step; meaningful where `present` is 1. */
  readonly values: Float64Array;
  // Dense per-step arrays beat point lists here: steps index directly, and a step's vector is gathered
  // without per-series cursors.
  readonly present: Uint8Array;
  /**
   * Native histogram samples: `undefined` unless some step holds one (so float-only series, nearly all of
   * them, carry no per-step array); at a step where the entry is set, the sample is that histogram and
   * `values` holds 0, as Prometheus's `Sample.F` does. Histograms may be shared with the store and other
   * nodes: copy before changing one.
   */
  histograms?: (FloatHistogram | undefined)[] | undefined;
}

/** A scalar over the steps of the evaluation: always one value per step. */
export interface ScalarSteps {
  readonly kind: 'scalar';
  readonly values: Float64Array;
}

/** An instant vector over the steps. */
export interface VectorSteps {
  readonly kind: 'vector';
  readonly series: StepSeries[];
}

/** A string literal. */
export interface StringSteps {
  readonly kind: 'string';
  readonly value: string;
}

/** A range vector: only produced at the top of an instant query (selector or subquery). */
export interface RangeSteps {
  readonly kind: 'matrix';
  readonly series: WindowSeries[];
}

/** Points of one series in time order, without staleness markers; the input of range functions. */
export interface WindowSeries {
  readonly labels: Labels;
  readonly dropName: boolean;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** As {@link StepSeries.histograms}, per point: set only when some point is a native histogram. */
  readonly histograms?: readonly (FloatHistogram | undefined)[] | undefined;
}

/** Any evaluated value. */
export type StepValue = ScalarSteps | VectorSteps | StringSteps | RangeSteps;

/**
 * A scalar's values: `value` at each of `numSteps` steps. Written in a loop that checks the deadline
 * rather than with `fill`: the first write to fresh memory faults its pages in (measured: 110-240 ms to
 * fill 28.8M steps), which one native call would spend without noticing the deadline.
 */
export function constantSteps(limits: EvalLimits, numSteps: number, value: number): Float64Array {
  const values = new Float64Array(numSteps);
  for (let from = 0; from < numSteps; from += STEP_BLOCK) {
    const to = Math.min(numSteps, from + STEP_BLOCK);
    checkDeadline(limits, to - from);
    for (let i = from; i < to; i++) {
      values[i] = value;
    }
  }
  return values;
}

const slabBytes = 1 << 20;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * A new series with no value at any step. Its arrays are views carved from shared 1 MiB slabs: one
 * allocation per slab instead of two per series (measured: a quarter of a 10k-series range query went
 * into allocating and zeroing small typed arrays). Slabs are never reused, so fresh views read zero.
 */
export function emptySeries(labels: Labels, dropName: boolean, numSteps: number): StepSeries {
  const valueBytes = numSteps * 8;
  const size = valueBytes + Math.ceil(numSteps / 8) * 8;
  if (slabUsed + size > slab.byteLength) {
    slab = new ArrayBuffer(Math.max(slabBytes, size));
    slabUsed = 0;
  }
  const values = new Float64Array(slab, slabUsed, numSteps);
  const present = new Uint8Array(slab, slabUsed + valueBytes, numSteps);
  slabUsed += size;
  return { labels, dropName, values, present };
}

/** Whether any series holds a native histogram sample. */
export function hasHistograms(series: readonly { readonly histograms?: unknown }[]): boolean {
  for (const s of series) if (s.histograms !== undefined) return true;
  return false;
}

/** Sets the histogram of step `i`, creating the series' per-step histogram array on first use. */
export function setHistogram(series: StepSeries, i: number, histogram: FloatHistogram): void {
  series.histograms ??= new Array<FloatHistogram | undefined>(series.values.length).fill(undefined);
  series.histograms[i] = histogram;
  series.values[i] = 0;
  series.present[i] = 1;
}
