/**
 * What every series holds besides its aggregation's numbers. Cells are classes with every field set in the
 * constructor, so each instrument sees one object shape (V8 keeps the hot path monomorphic).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';

/** The attribute set marking the overflow series of the OTel cardinality-limit specification. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * The identity and bookkeeping of one series. Measured (bench/recording-core.ts, heap snapshot at 100k
 * series): every field is 8 bytes per series, so there is no flag the trie can make redundant (an evicted
 * series is taken out of the trie rather than flagged) and no second "seen" counter beside `foldedUpdates`.
 */
export class SeriesCell {
  /** The attributes it is exported with (after views and attribute policies), frozen. */
  readonly attributes: Attributes;
  /** When the series was created: the start of its cumulative stream. */
  readonly startTime: HrTime;
  /** Measurements recorded so far; collection compares it to tell active series from idle ones. */
  updates = 0;
  /**
   * `updates` when the interval was last folded into the cumulative and pending states (every collection
   * folds a series with new measurements, so it is also how collection tells active series from idle ones).
   */
  foldedUpdates = 0;
  /**
   * When (epoch seconds) a collection last found new measurements, for idle eviction. Whole seconds stay a
   * small integer V8 stores inline; epoch milliseconds are a boxed double, 16 more bytes per series.
   */
  lastActiveSec: number;

  constructor(attributes: Attributes, startTime: HrTime, nowMs: number) {
    this.attributes = attributes;
    this.startTime = startTime;
    this.lastActiveSec = Math.floor(nowMs / 1000);
  }
}
