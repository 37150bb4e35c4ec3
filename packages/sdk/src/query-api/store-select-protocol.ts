/**
 * The messages a query worker and the main thread exchange to read the embedded store. The worker asks
 * synchronously (it posts a request, then sleeps on a shared counter until the answer is in its port), so
 * the engine's synchronous `Queryable.select` works unchanged off the main thread while the store itself
 * never leaves it.
 */
import type { FloatHistogramInit, LabelMatcher, Labels } from '@yardstick/promql';

/** Worker → main: open a select cursor, read its next batch, or close it early. */
export type StoreRequest =
  | {
      readonly op: 'open';
      readonly cursor: number;
      readonly matchers: readonly LabelMatcher[];
      readonly minT: number;
      readonly maxT: number;
    }
  | { readonly op: 'next'; readonly cursor: number }
  | { readonly op: 'close'; readonly cursor: number };

/**
 * Main → worker: the next series of a cursor, packed into two transferable arrays. Series `i` owns
 * `timestamps/values[offsets[i] .. offsets[i + 1])`.
 */
export interface StoreBatch {
  readonly labels: readonly Labels[];
  readonly offsets: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /**
   * Native histogram samples, by series: absent when no series of the batch has one; for series `i`,
   * undefined when all its samples are floats, else one entry per sample (the histogram's fields, as
   * structured clone carries a `FloatHistogram`, or undefined where the sample is a float).
   */
  readonly histograms?: readonly (readonly (FloatHistogramInit | undefined)[] | undefined)[];
  /** No series follow this batch. */
  readonly done: boolean;
  /** Set when the main thread could not serve the request. */
  readonly error?: string;
}

/** Index of the counter the main thread bumps after each answer (in an `Int32Array` over a SharedArrayBuffer). */
export const ANSWERS = 0;
