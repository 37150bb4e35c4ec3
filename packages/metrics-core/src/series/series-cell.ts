/**
 * What every series holds besides its aggregation's numbers. Cells are classes with every field set in the
 * constructor, so each instrument sees one object shape (V8 keeps the hot path monomorphic).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';

/** The attribute set marking the overflow series of the OTel cardinality-limit specification. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** The identity and bookkeeping of one series. */
export class SeriesCell {
  /** The attributes it is exported with (after views and attribute policies), frozen. */
  readonly attributes: Attributes;
  /** When the series was created: the start of its cumulative stream. */
  readonly startTime: HrTime;
  /** Measurements recorded so far; collection compares it to tell active series from idle ones. */
  updates = 0;
  /** `updates` when the interval was last folded into the cumulative and pending states. */
  foldedUpdates = 0;
  /** Set when idle eviction removed the series: a later measurement makes a new one. */
  evicted = false;
  /** `updates` at the last collection, and the time (epoch ms) it last changed, for idle eviction. */
  seenUpdates = 0;
  lastActiveMs: number;
  /** Each delta reader's state of this series since its last collection (by the reader's delta slot). */
  pending: unknown[] | undefined = undefined;

  constructor(attributes: Attributes, startTime: HrTime, nowMs: number) {
    this.attributes = attributes;
    this.startTime = startTime;
    this.lastActiveMs = nowMs;
  }
}
