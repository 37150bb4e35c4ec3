/**
 * The remote-write source with `store.path`: the store's history in node:sqlite, read from a cursor (the
 * newest timestamp delivered) kept per endpoint in the same database. A receiver outage only holds the cursor
 * back, so nothing is lost while the data is within retention, and memory holds one batch at a time.
 */

import type { DatabaseSync } from 'node:sqlite';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { CollectionSink } from '../store/collection-sink.ts';
import { readChunkSamples, readHeadRow } from '../store/persistence/chunk-rows.ts';
import {
  type RemoteWriteBatch,
  type RemoteWriteSource,
  type SeriesBuilder,
  type TargetLabels,
  wireLabels,
} from './remote-write-batch.ts';

/** Wire labels cached per series id up to this many series; beyond it the cache starts over. */
const MAX_CACHED_LABEL_SETS = 200_000;

/** Reads an endpoint's unsent samples from the persisted store; a {@link CollectionSink} only to learn of new data. */
export class PersistedHistory implements CollectionSink, RemoteWriteSource {
  readonly #db: DatabaseSync;
  readonly #endpoint: string;
  readonly #target: TargetLabels;
  readonly #windowMs: number;
  #cursor: number;
  readonly #listeners: Array<() => void> = [];
  readonly #wire = new Map<number, SeriesBuilder['labels']>();

  /**
   * @param endpoint the endpoint's name, the key of its cursor
   * @param windowMs time span read from sealed chunks per batch (a few collection intervals)
   */
  constructor(db: DatabaseSync, endpoint: string, target: TargetLabels, windowMs: number) {
    this.#db = db;
    this.#endpoint = endpoint;
    this.#target = target;
    this.#windowMs = windowMs;
    const row = db.prepare('SELECT t FROM cursors WHERE endpoint = ?').get(endpoint) as
      | { t: number }
      | undefined;
    // A new endpoint starts at the present, as Prometheus's remote write does: the receiver may refuse
    // samples much older than its own newest ones, and a backfill of the whole retention would flood it.
    this.#cursor = row === undefined ? this.#newestTimestamp() : Number(row.t);
    if (row === undefined) this.#saveCursor();
  }

  add(): void {}

  async collected(_timestampMs: number, _resourceMetrics: ResourceMetrics): Promise<void> {
    for (const listener of this.#listeners) listener();
  }

  onAvailable(listener: () => void): void {
    this.#listeners.push(listener);
  }

  next(maxSamples: number): RemoteWriteBatch | undefined {
    const minHead = this.#minHeadTimestamp();
    if (minHead === undefined || this.#cursor < minHead - 1) {
      const fromChunks = this.#nextFromChunks(minHead);
      if (fromChunks !== undefined) return fromChunks;
    }
    return this.#nextFromHead(maxSamples);
  }

  pendingSamples(): number {
    const head = this.#db
      .prepare('SELECT coalesce(sum(length(data)), 0) / 16 AS n FROM head WHERE t > ?')
      .get(this.#cursor) as { n: number };
    const minHead = this.#minHeadTimestamp() ?? Number.POSITIVE_INFINITY;
    const chunks = this.#db
      .prepare('SELECT coalesce(sum(count), 0) AS n FROM chunks WHERE max_t > ? AND min_t < ?')
      .get(this.#cursor, Math.min(minHead, Number.MAX_SAFE_INTEGER)) as { n: number };
    return Number(head.n) + Number(chunks.n);
  }

  /** Samples of sealed chunks in (cursor, cursor + window], skipping any gap; never past the head's start. */
  #nextFromChunks(minHead: number | undefined): RemoteWriteBatch | undefined {
    const limit = minHead === undefined ? Number.MAX_SAFE_INTEGER : minHead - 1;
    const first = this.#db
      .prepare('SELECT min(min_t) AS t FROM chunks WHERE max_t > ?')
      .get(this.#cursor) as { t: number | null };
    if (first.t === null) return undefined;
    const from = this.#cursor;
    const upTo = Math.min(limit, Math.max(from, Number(first.t) - 1) + this.#windowMs);
    if (upTo <= from) return undefined;
    const rows = this.#db
      .prepare('SELECT series_id, min_t, count, data FROM chunks WHERE max_t > ? AND min_t <= ?')
      .iterate(from, upTo) as Iterable<{ series_id: number; min_t: number; count: number; data: Uint8Array }>;
    const bySeries = new Map<number, SeriesBuilder>();
    let samples = 0;
    let maxTimestampMs = from;
    for (const row of rows) {
      const { timestamps, values } = readChunkSamples(row);
      for (let i = 0; i < timestamps.length; i++) {
        const t = timestamps[i]!;
        if (t <= from || t > upTo) continue;
        this.#seriesIn(bySeries, row.series_id)?.samples.push({ value: values[i]!, timestamp: t });
        samples++;
        if (t > maxTimestampMs) maxTimestampMs = t;
      }
    }
    return this.#batch(bySeries, samples, maxTimestampMs, upTo);
  }

  /** Whole head rows (collections) after the cursor, until about `maxSamples`. */
  #nextFromHead(maxSamples: number): RemoteWriteBatch | undefined {
    const rows = this.#db
      .prepare('SELECT t, data FROM head WHERE t > ? ORDER BY t')
      .iterate(this.#cursor) as IterableIterator<{ t: number; data: Uint8Array }>;
    const bySeries = new Map<number, SeriesBuilder>();
    let samples = 0;
    let last: number | undefined;
    for (const row of rows) {
      const pairs = readHeadRow(row.data);
      if (samples > 0 && samples + pairs.length / 2 > maxSamples) break;
      const t = Number(row.t);
      for (let i = 0; i < pairs.length; i += 2) {
        this.#seriesIn(bySeries, pairs[i]!)?.samples.push({ value: pairs[i + 1]!, timestamp: t });
      }
      samples += pairs.length / 2;
      last = t;
    }
    rows.return?.();
    return last === undefined ? undefined : this.#batch(bySeries, samples, last, last);
  }

  #batch(
    bySeries: Map<number, SeriesBuilder>,
    samples: number,
    maxTimestampMs: number,
    cursorAfter: number,
  ): RemoteWriteBatch {
    return {
      series: [...bySeries.values()].filter((series) => series.samples.length > 0),
      samples,
      maxTimestampMs,
      ack: () => {
        if (cursorAfter > this.#cursor) {
          this.#cursor = cursorAfter;
          this.#saveCursor();
        }
      },
    };
  }

  #seriesIn(bySeries: Map<number, SeriesBuilder>, id: number): SeriesBuilder | undefined {
    let series = bySeries.get(id);
    if (series !== undefined) return series;
    let labels = this.#wire.get(id);
    if (labels === undefined) {
      const row = this.#db.prepare('SELECT labels FROM series WHERE id = ?').get(id) as
        | { labels: string }
        | undefined;
      if (row === undefined) return undefined;
      if (this.#wire.size >= MAX_CACHED_LABEL_SETS) this.#wire.clear();
      labels = wireLabels(Object.fromEntries(JSON.parse(row.labels) as [string, string][]), this.#target);
      this.#wire.set(id, labels);
    }
    series = { labels, samples: [] };
    bySeries.set(id, series);
    return series;
  }

  #saveCursor(): void {
    this.#db
      .prepare(
        'INSERT INTO cursors (endpoint, t) VALUES (?, ?) ON CONFLICT (endpoint) DO UPDATE SET t = excluded.t',
      )
      .run(this.#endpoint, this.#cursor);
  }

  #minHeadTimestamp(): number | undefined {
    const row = this.#db.prepare('SELECT min(t) AS t FROM head').get() as { t: number | null };
    return row.t === null ? undefined : Number(row.t);
  }

  #newestTimestamp(): number {
    const head = this.#db.prepare('SELECT max(t) AS t FROM head').get() as { t: number | null };
    const chunks = this.#db.prepare('SELECT max(max_t) AS t FROM chunks').get() as { t: number | null };
    return Math.max(Number(head.t ?? 0), Number(chunks.t ?? 0));
  }
}
