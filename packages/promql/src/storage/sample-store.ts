/**
 * The embedded in-memory time-series store: the SDK appends every scrape, the PromQL engine reads
 * through {@link Queryable}. Samples live in Gorilla/Prometheus XOR chunks (see `xor-chunk.ts`), series
 * are found through a postings index (see `postings-index.ts`).
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { validateHistogram } from '../histogram/validate.ts';
import { compileMatcher } from './label-matcher.ts';
import { MemorySeries } from './memory-series.ts';
import { MinHeap } from './min-heap.ts';
import { type Postings, PostingsIndex } from './postings-index.ts';
import {
  type LabelMatcher,
  type Labels,
  type Queryable,
  type SeriesSamples,
  STALE_NAN,
} from './queryable.ts';
import { hashLabels, SeriesLookup } from './series-lookup.ts';
import { ShardedMap } from './sharded-map.ts';

/** Options of a {@link SampleStore}. */
export interface SampleStoreOptions {
  /** Chunks whose samples are all older than `now() - retentionMs` are dropped by {@link SampleStore.enforceRetention}. */
  readonly retentionMs?: number;
  /** Upper bound on {@link SampleStoreStats.bytes}; {@link SampleStore.enforceRetention} drops the oldest chunks to stay under it. */
  readonly maxBytes?: number;
  /** Clock for age-based retention, milliseconds since the epoch; `Date.now` by default. */
  readonly now?: () => number;
}

/** Size figures of a {@link SampleStore}. */
export interface SampleStoreStats {
  /** Series held. */
  readonly series: number;
  /** Samples held, staleness markers included. */
  readonly samples: number;
  /** XOR chunks held, one open head chunk per series included. */
  readonly chunks: number;
  /**
   * Bytes held: the chunk buffers and chunk tables as allocated, plus an estimate of the series objects,
   * label strings and postings index.
   */
  readonly bytes: number;
  /** `bytes / samples` (0 when empty). */
  readonly bytesPerSample: number;
  /**
   * Samples refused since creation: timestamp not after the series' newest one, or not a valid time, or a
   * native histogram that fails Prometheus's validation.
   */
  readonly rejectedSamples: number;
}

/** What one {@link SampleStore.enforceRetention} call removed. */
export interface RetentionResult {
  /** Samples removed with their chunks. */
  readonly droppedSamples: number;
  /** Series removed because no sample of theirs was left. */
  readonly droppedSeries: number;
}

// Timestamps up to 2^51 ms (about 71,000 years) keep every delta-of-delta an exact integer.
const maxAbsTimestamp = 2 ** 51;
// Estimated V8 cost of one series beyond its sample buffers and label strings: the series, writer,
// encoder and typed-array objects, the labels object, its entries in the lookup, the id map and the
// all-series set. Cross-checked: the estimated total is within 10% of the growth of process.memoryUsage()
// (heapUsed + arrayBuffers) when filling a store.
const seriesOverheadBytes = 480;
// Estimated cost of one label of one series beyond its characters: two string headers, the property slot
// and the postings entry.
const labelOverheadBytes = 48;

/**
 * An in-memory store of float samples.
 *
 * Appends never throw: a sample whose timestamp is not after the newest one of its series (out of order or
 * duplicate) is refused and counted, as Prometheus's TSDB does. Timestamps are whole milliseconds
 * (fractions are rounded). Labels with an empty value are dropped, since PromQL treats them as absent.
 * The store runs no timers: its owner calls {@link SampleStore.enforceRetention}, e.g. every scrape.
 *
 * Size, as {@link SampleStore.stats} counts it (chunks, chunk tables, series and index included): 1.24 bytes
 * per sample for a day of 15 s scrapes of 1,000 slowly changing counters and gauges (the compression test);
 * 4.9 bytes per sample for one hour of 10,000 steadily growing counters (bench/promql-query.ts), where the
 * fixed cost of each series is spread over only 241 samples.
 *
 * @example
 * ```ts
 * const store = new SampleStore({ retentionMs: 6 * 3600_000, maxBytes: 64 * 1024 * 1024 });
 * store.append({ __name__: 'up', job: 'api' }, Date.now(), 1);
 * for (const series of store.select([{ type: '=', name: 'job', value: 'api' }], Date.now() - 300_000, Date.now())) {
 *   console.log(series.labels, series.values);
 * }
 * store.enforceRetention();
 * ```
 */
export class SampleStore implements Queryable {
  readonly #retentionMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #lookup = new SeriesLookup<MemorySeries>();
  // Sharded: see sharded-map.ts (a plain Map of 750k series blocked the loop ~100 ms when it doubled).
  readonly #byId = new ShardedMap<MemorySeries>();
  readonly #postings = new PostingsIndex();
  #nextId = 0;
  #rejected = 0;

  constructor(options: SampleStoreOptions = {}) {
    this.#retentionMs = options.retentionMs ?? Number.POSITIVE_INFINITY;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Appends one sample to the series named by `labels` (`__name__` included), creating it if needed.
   * @returns `false` when the sample was refused (timestamp not finite, or not after the series' newest).
   */
  append(labels: Labels, timestampMs: number, value: number): boolean {
    const t = Math.round(timestampMs);
    if (!(Math.abs(t) <= maxAbsTimestamp)) {
      this.#rejected++;
      return false;
    }
    if (this.#seriesFor(labels).append(t, value)) return true;
    this.#rejected++;
    return false;
  }

  /**
   * Appends one native histogram sample, after Prometheus's validation (`validateHistogram`). A series may
   * switch between floats and histograms from one sample to the next, as in Prometheus; staleness markers
   * ({@link SampleStore.appendStaleMarker}) end either kind. Samples are stored compressed (about 1 byte per
   * bucket for slowly changing histograms); the store keeps the newest `histogram` of a series to detect
   * counter resets against it, so the caller must not change it afterwards.
   * @returns `false` when the sample was refused (invalid histogram, timestamp not finite or not after the
   * series' newest).
   */
  appendHistogram(labels: Labels, timestampMs: number, histogram: FloatHistogram): boolean {
    const t = Math.round(timestampMs);
    if (!(Math.abs(t) <= maxAbsTimestamp) || validateHistogram(histogram) !== undefined) {
      this.#rejected++;
      return false;
    }
    if (this.#seriesFor(labels).appendHistogram(t, histogram)) return true;
    this.#rejected++;
    return false;
  }

  #seriesFor(labels: Labels): MemorySeries {
    const { hash, count } = hashLabels(labels);
    let series = this.#lookup.get(labels, hash, count);
    if (series === undefined) {
      series = new MemorySeries(this.#nextId++, withoutEmptyLabels(labels), hash);
      this.#lookup.add(series);
      this.#byId.set(series.id, series);
      this.#postings.add(series.id, series.labels);
    }
    return series;
  }

  /** Appends Prometheus's staleness marker ({@link STALE_NAN}): the series ended at `timestampMs`. */
  appendStaleMarker(labels: Labels, timestampMs: number): boolean {
    return this.append(labels, timestampMs, STALE_NAN);
  }

  /**
   * Every series matching all `matchers` that has samples in `[minT, maxT]`, with those samples in time
   * order; series come in creation order. Only chunks overlapping the window are decoded, lazily per series
   * (a series dropped by retention while the caller iterates is skipped).
   */
  *select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples> {
    for (const id of this.#select(matchers)) {
      const series = this.#byId.get(id);
      const window = series?.read(minT, maxT);
      // A literal of fixed shape, not a spread: one object layout for every yielded series.
      if (series !== undefined && window !== undefined)
        yield {
          labels: series.labels,
          timestamps: window.timestamps,
          values: window.values,
          histograms: window.histograms,
        };
    }
  }

  /**
   * Label sets of the series matching `matchers` that have a sample in `[minT, maxT]`, in creation order.
   * Decodes at most one chunk per series, so listing series over long ranges stays cheap.
   */
  series(matchers: readonly LabelMatcher[], minT: number, maxT: number): Labels[] {
    const result: Labels[] = [];
    for (const id of this.#select(matchers)) {
      const series = this.#byId.get(id)!;
      if (series.hasSampleIn(minT, maxT)) result.push(series.labels);
    }
    return result;
  }

  /** Sorted label names of the series matching `matchers` (all series when omitted or empty). */
  labelNames(matchers: readonly LabelMatcher[] = []): string[] {
    const ids = matchers.length === 0 ? undefined : this.#select(matchers);
    return this.#postings.labelNames(ids).sort();
  }

  /** Sorted values of label `name` among the series matching `matchers` (all series when omitted or empty). */
  labelValues(name: string, matchers: readonly LabelMatcher[] = []): string[] {
    const ids = matchers.length === 0 ? undefined : this.#select(matchers);
    return this.#postings.labelValues(name, ids).sort();
  }

  /** Drops every series and sample; the rejected-sample count stays. */
  clear(): void {
    this.#lookup.clear();
    this.#byId.clear();
    this.#postings.clear();
  }

  /**
   * Drops whole chunks whose samples are all older than `now() - retentionMs`, then the oldest chunks of
   * any series until {@link SampleStoreStats.bytes} is at most `maxBytes`. Series left without samples
   * leave the index. Call it periodically (the SDK does on its scrape interval).
   */
  enforceRetention(): RetentionResult {
    let droppedSamples = 0;
    const emptied: MemorySeries[] = [];
    if (Number.isFinite(this.#retentionMs)) {
      const cutoff = this.#now() - this.#retentionMs;
      for (const series of this.#byId.values()) {
        droppedSamples += series.dropOldestChunks(series.chunksBefore(cutoff));
        if (series.chunkCount === 0) emptied.push(series);
      }
      this.#forget(emptied);
    }
    const droppedSeries = emptied.length;
    if (Number.isFinite(this.#maxBytes)) {
      const bySize = this.#dropUntilUnderMaxBytes();
      droppedSamples += bySize.droppedSamples;
      return { droppedSamples, droppedSeries: droppedSeries + bySize.droppedSeries };
    }
    return { droppedSamples, droppedSeries };
  }

  /** Size figures, for `/v1/stats` and capacity planning. */
  stats(): SampleStoreStats {
    let samples = 0;
    let chunks = 0;
    let bytes = 0;
    for (const series of this.#byId.values()) {
      samples += series.sampleCount;
      chunks += series.chunkCount;
      bytes += series.byteSize + indexBytes(series);
    }
    return {
      series: this.#byId.size,
      samples,
      chunks,
      bytes,
      bytesPerSample: samples === 0 ? 0 : bytes / samples,
      rejectedSamples: this.#rejected,
    };
  }

  #select(matchers: readonly LabelMatcher[]): Postings {
    return this.#postings.select(matchers.map(compileMatcher));
  }

  #forget(series: readonly MemorySeries[]): void {
    for (const entry of series) {
      this.#byId.delete(entry.id);
      this.#lookup.delete(entry);
    }
    this.#postings.remove(series);
  }

  /**
   * Drops the globally oldest chunk, one at a time, until the store fits `maxBytes`. A heap of series by
   * their oldest chunk's start keeps each step O(log series), so a store that sits at its budget and sheds
   * a few chunks per scrape stays cheap.
   */
  #dropUntilUnderMaxBytes(): RetentionResult {
    let excess = this.stats().bytes - this.#maxBytes;
    if (excess <= 0) return { droppedSamples: 0, droppedSeries: 0 };
    const oldestFirst = new MinHeap<MemorySeries>();
    for (const series of this.#byId.values()) oldestFirst.push(series, series.chunkMinTime(0));
    let droppedSamples = 0;
    const emptied: MemorySeries[] = [];
    while (excess > 0) {
      const series = oldestFirst.pop();
      if (series === undefined) break;
      const before = series.byteSize;
      droppedSamples += series.dropOldestChunks(1);
      if (series.chunkCount === 0) {
        emptied.push(series);
        excess -= before + indexBytes(series);
      } else {
        excess -= before - series.byteSize;
        oldestFirst.push(series, series.chunkMinTime(0));
      }
    }
    this.#forget(emptied);
    return { droppedSamples, droppedSeries: emptied.length };
  }
}

function indexBytes(series: MemorySeries): number {
  let bytes = seriesOverheadBytes;
  for (const name in series.labels) bytes += labelOverheadBytes + name.length + series.labels[name]!.length;
  return bytes;
}

/** The labels to store: sorted by name, empty values left out (enumerated like `hashLabels` does). */
function withoutEmptyLabels(labels: Labels): Labels {
  const names: string[] = [];
  for (const name in labels) if (labels[name] !== '') names.push(name);
  const clean: Record<string, string> = {};
  for (const name of names.sort()) clean[name] = labels[name]!;
  return Object.freeze(clean);
}
