/**
 * Quantiles over a sliding time window, as a Prometheus summary reports them: the window of `maxAgeMs` is
 * cut into `ageBuckets` periods, each a base-2 exponential histogram; a value goes into the current period
 * only, and the oldest period is emptied when the window moves past it. A query merges the periods (exact,
 * histograms are mergeable) and reads each quantile from the merged buckets.
 *
 * The window covers the same span as prom-client's and the Prometheus Go client's (`maxAge`, `ageBuckets`):
 * between `maxAgeMs - maxAgeMs / ageBuckets` and `maxAgeMs` of the most recent values. They keep a t-digest
 * or CKMS stream per period and write every value into all of them; here a value costs one bucket increment,
 * and the error is a bound on the value (see `ExponentialHistogramCell.relativeError`), not on its rank.
 */
import { ExponentialHistogramCell } from '../aggregations/exponential-histogram.ts';

/** Options of {@link SlidingQuantiles}. */
export interface SlidingQuantilesOptions {
  /** How long a value counts, in ms; `Infinity` keeps every value (quantiles since start). */
  readonly maxAgeMs: number;
  /** Periods the window is cut into (an integer >= 1): the window moves by `maxAgeMs / ageBuckets`. */
  readonly ageBuckets: number;
  /** Buckets per sign in each period's histogram (an integer >= 2): the resolution kept for wide ranges. */
  readonly maxBuckets: number;
}

/** One series' sliding window. */
export class SlidingQuantiles {
  readonly #periods: ExponentialHistogramCell[];
  readonly #periodMs: number;
  /** The period values go into. */
  #head = 0;
  /**
   * When the head period started, in `performance.now()` ms. The monotonic clock, not `Date.now()`: a step
   * of the wall clock does not move the window, and measured (heapUsed over 10k warm calls) `Date.now()`
   * allocated its result, 16 bytes per value, where `performance.now()` allocates nothing.
   */
  #headStartMs: number;

  constructor(options: SlidingQuantilesOptions) {
    const size = Number.isFinite(options.maxAgeMs) ? options.ageBuckets : 1;
    this.#periods = [];
    // Buckets grow as values arrive: an idle period costs a few dozen bytes.
    for (let i = 0; i < size; i++)
      this.#periods.push(new ExponentialHistogramCell({ maxSize: options.maxBuckets }));
    this.#periodMs = options.maxAgeMs / size;
    this.#headStartMs = performance.now();
  }

  /** Counts `value` (a finite number, checked by the caller) now. Allocates nothing once warm. */
  record(value: number): void {
    const nowMs = performance.now();
    if (nowMs - this.#headStartMs >= this.#periodMs) this.#advance(nowMs);
    (this.#periods[this.#head] as ExponentialHistogramCell).record(value);
  }

  /**
   * Writes the quantiles `qs` of the values in the window now into `out` (NaN when the window is empty),
   * merging the periods into `scratch` (emptied first; one per stream is enough, queries do not overlap).
   * Returns the relative error bound of the values written.
   */
  quantiles(qs: readonly number[], scratch: ExponentialHistogramCell, out: number[]): number {
    const nowMs = performance.now();
    if (nowMs - this.#headStartMs >= this.#periodMs) this.#advance(nowMs);
    scratch.reset();
    for (const period of this.#periods) scratch.merge(period);
    for (let i = 0; i < qs.length; i++) out[i] = scratch.quantile(qs[i] as number);
    return scratch.relativeError();
  }

  /** Moves the head past every period that has ended by `nowMs`, emptying the periods it reuses. */
  #advance(nowMs: number): void {
    const periods = this.#periods;
    const steps = Math.floor((nowMs - this.#headStartMs) / this.#periodMs);
    for (let i = 0; i < Math.min(steps, periods.length); i++) {
      this.#head = (this.#head + 1) % periods.length;
      (periods[this.#head] as ExponentialHistogramCell).reset();
    }
    this.#headStartMs += steps * this.#periodMs;
  }
}
