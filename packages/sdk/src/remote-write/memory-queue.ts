/**
 * The remote-write source without `store.path`: the store's collections queued in memory, bounded by the
 * endpoint's `queue.capacity` in samples. When the receiver is away long enough to fill it, the oldest
 * collections are dropped and counted.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Labels } from '@yardstick/promql';
import type { CollectionSink } from '../store/collection-sink.ts';
import { seriesKey } from '../store/series-key.ts';
import {
  type RemoteWriteBatch,
  type RemoteWriteSource,
  type SeriesBuilder,
  type TargetLabels,
  wireLabels,
} from './remote-write-batch.ts';

interface QueuedCollection {
  readonly timestampMs: number;
  readonly labels: Labels[];
  readonly values: Float64Array;
}

/** Wire labels cached per series key up to this many series; beyond it the cache starts over. */
const MAX_CACHED_LABEL_SETS = 200_000;

/** A bounded in-memory queue of collections; a {@link CollectionSink} of the store reader. */
export class MemoryQueue implements CollectionSink, RemoteWriteSource {
  readonly #capacity: number;
  readonly #target: TargetLabels;
  readonly #onDrop: (samples: number) => void;
  readonly #queue: QueuedCollection[] = [];
  #queued = 0;
  #inFlight = 0;
  #labels: Labels[] = [];
  #values: number[] = [];
  readonly #listeners: Array<() => void> = [];
  readonly #wire = new Map<string, SeriesBuilder['labels']>();

  /**
   * @param capacity most samples held (queued, not in flight)
   * @param onDrop told how many samples were dropped for lack of room
   */
  constructor(capacity: number, target: TargetLabels, onDrop: (samples: number) => void) {
    this.#capacity = capacity;
    this.#target = target;
    this.#onDrop = onDrop;
  }

  add(labels: Labels, value: number): void {
    this.#labels.push(labels);
    this.#values.push(value);
  }

  async collected(timestampMs: number, _resourceMetrics: ResourceMetrics): Promise<void> {
    if (this.#labels.length === 0) return;
    // Float64Array: the staleness marker's NaN payload must survive (a number[] may canonicalise it).
    const values = new Float64Array(this.#values.length);
    for (let i = 0; i < values.length; i++) values[i] = this.#values[i]!;
    this.#queue.push({ timestampMs, labels: this.#labels, values });
    this.#queued += values.length;
    this.#labels = [];
    this.#values = [];
    while (this.#queued > this.#capacity && this.#queue.length > 0) {
      const dropped = this.#queue.shift()!;
      this.#queued -= dropped.values.length;
      this.#onDrop(dropped.values.length);
    }
    for (const listener of this.#listeners) listener();
  }

  next(maxSamples: number): RemoteWriteBatch | undefined {
    if (this.#queue.length === 0) return undefined;
    const bySeries = new Map<string, SeriesBuilder>();
    let samples = 0;
    let maxTimestampMs = 0;
    // Whole collections, so that each series' samples stay in time order across batches.
    while (
      this.#queue.length > 0 &&
      (samples === 0 || samples + this.#queue[0]!.values.length <= maxSamples)
    ) {
      const collection = this.#queue.shift()!;
      this.#queued -= collection.values.length;
      for (let i = 0; i < collection.labels.length; i++) {
        const labels = collection.labels[i]!;
        const key = seriesKey(labels);
        let series = bySeries.get(key);
        if (series === undefined) {
          series = { labels: this.#wireLabels(key, labels), samples: [] };
          bySeries.set(key, series);
        }
        series.samples.push({ value: collection.values[i]!, timestamp: collection.timestampMs });
      }
      samples += collection.values.length;
      maxTimestampMs = collection.timestampMs;
    }
    this.#inFlight = samples;
    return {
      series: [...bySeries.values()],
      samples,
      maxTimestampMs,
      ack: () => {
        this.#inFlight = 0;
      },
    };
  }

  pendingSamples(): number {
    return this.#queued + this.#inFlight;
  }

  onAvailable(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #wireLabels(key: string, labels: Labels): SeriesBuilder['labels'] {
    let wire = this.#wire.get(key);
    if (wire === undefined) {
      if (this.#wire.size >= MAX_CACHED_LABEL_SETS) this.#wire.clear();
      wire = wireLabels(labels, this.#target);
      this.#wire.set(key, wire);
    }
    return wire;
  }
}
