/**
 * What else receives the samples the embedded store accepted in a collection: the node:sqlite persistence and
 * the remote-write queue read exactly the series, values and timestamps the store holds.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { LoopSlice } from '@yardstick/metrics-core';
import type { FloatHistogram, Labels } from '@yardstick/promql';

/** A receiver of each collection the `StoreReader` appends to the store. */
export interface CollectionSink {
  /**
   * A sample the store accepted (a staleness marker included), in the collection in progress. Called on the
   * collection's hot path: must be cheap and must not throw.
   */
  add(labels: Labels, value: number): void;
  /**
   * A native histogram sample the store accepted, in the collection in progress; a sink without it receives
   * floats alone. Same rules as {@link add}; the histogram is the store's, not to be changed.
   */
  addHistogram?(labels: Labels, histogram: FloatHistogram): void;
  /**
   * The collection stamped `timestampMs` is complete: every sample of it went through {@link add}. The
   * reader awaits it before the next collection; long work gives the loop a turn through `slice`.
   */
  collected(timestampMs: number, resourceMetrics: ResourceMetrics, slice: LoopSlice): Promise<void>;
}
