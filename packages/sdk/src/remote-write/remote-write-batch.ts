/**
 * What a remote-write sender takes from its source at a time: series with their samples, and how to tell the
 * source they are delivered. Both sources (memory queue, persisted history) build batches here.
 */
import type { Labels } from '@yardstick/promql';
import type { WireLabel, WireSeries } from './write-request.ts';

/** Samples taken from a source, to send and then acknowledge. */
export interface RemoteWriteBatch {
  readonly series: readonly WireSeries[];
  readonly samples: number;
  /** Newest timestamp in the batch, ms. */
  readonly maxTimestampMs: number;
  /** Marks the batch delivered (or dropped for good): the source moves past it. */
  ack(): void;
}

/** Where a sender's samples come from. */
export interface RemoteWriteSource {
  /** The next samples after the last acknowledged batch, about `maxSamples` of them; none when caught up. */
  next(maxSamples: number): RemoteWriteBatch | undefined;
  /** Samples recorded but not yet acknowledged (queued or in flight). */
  pendingSamples(): number;
  /** Calls `listener` whenever new samples may be available. */
  onAvailable(listener: () => void): void;
}

/** The `job` and `instance` a Prometheus scrape of the service would attach (see `targetLabelsOf`). */
export interface TargetLabels {
  readonly job: string;
  readonly instance: string;
}

/**
 * Sorted wire labels of a series. The store's series carry the target's `job` and `instance` as a scrape
 * gives them; a series without them (appended to the store by other code) gets the target's.
 */
export function wireLabels(labels: Labels, target: TargetLabels): WireLabel[] {
  const out: WireLabel[] = [];
  for (const name in labels) {
    const value = labels[name]!;
    if (value !== '') out.push({ name, value });
  }
  if (labels.job === undefined && target.job !== '') out.push({ name: 'job', value: target.job });
  if (labels.instance === undefined && target.instance !== '')
    out.push({ name: 'instance', value: target.instance });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Mutable samples of one series while a batch is assembled. */
export interface SeriesBuilder {
  readonly labels: WireLabel[];
  readonly samples: { value: number; timestamp: number }[];
}
