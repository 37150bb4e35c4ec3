/**
 * The embedded store on disk (`store.path`): every collection the store accepted is written to node:sqlite in
 * one transaction, so a crash (SIGKILL included) loses at most the collection in progress; a restart loads the
 * history back into the in-memory `SampleStore`.
 *
 * Layout (see store-database.ts): `series` maps an id to a label set; `head` holds one row per collection,
 * its samples packed as (series id, value) float64 pairs; every {@link SEAL_EVERY} collections the head is
 * sealed into one XOR chunk per series (`chunks`, the store's own encoding), after which its rows go. Native
 * histogram samples are rows of `histograms`, one per series and collection (histogram-row.ts), sealed at the
 * same time into one chunk per series (`histogram_chunks`, each bucket as its change since the previous
 * sample: histogram-chunk-bytes.ts).
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { LoopSlice } from '@yardstick/metrics-core';
import { encodeXorChunkBytes, type FloatHistogram, type Labels, type SampleStore } from '@yardstick/promql';
import type { Logger } from '../../logging/logger.ts';
import type { CollectionSink } from '../collection-sink.ts';
import { seriesKey } from '../series-key.ts';
import { readHeadRow } from './chunk-rows.ts';
import { encodeHistogramChunk, type TimedHistogram } from './histogram-chunk-bytes.ts';
import { decodeHistogramRow, encodeHistogramRow } from './histogram-row.ts';
import { restoreRows } from './restore-rows.ts';
import { openStoreDatabase, type StoreDatabase } from './store-database.ts';

/**
 * Collections per sealed chunk, the store's samples per chunk: at a regular interval each series' chunk holds
 * up to 120 samples, where XOR coding pays off (about 1.3 bytes per sample against 16 in the head).
 */
export const SEAL_EVERY = 120;

/** Options of {@link StorePersistence.open}. */
export interface StorePersistenceOptions {
  /** Directory of the database (`store.path`). */
  readonly path: string;
  /** Same as the in-memory store's: samples older than this are deleted from disk. */
  readonly retentionMs: number;
  /** Same as the in-memory store's: the oldest chunks are deleted until the database uses at most this. */
  readonly maxBytes: number;
  readonly logger: Logger;
  /** Clock of age-based retention, for tests. */
  readonly now?: () => number;
}

/** What a restore loaded. */
export interface RestoreResult {
  readonly series: number;
  readonly samples: number;
  /** Samples the in-memory store refused (older than its newest for the series, or invalid). */
  readonly rejected: number;
  readonly durationMs: number;
}

/** Figures of the longest event-loop blocks of persistence work, for the bench and the logs. */
export interface PersistenceTimings {
  /** Longest synchronous stretch of a collection's commit, in ms. */
  readonly longestCommitMs: number;
  /** Longest slice of sealing or retention, in ms. */
  readonly longestSliceMs: number;
}

/**
 * Persists the embedded store's collections; a {@link CollectionSink} of the `StoreReader`.
 *
 * @example
 * ```ts
 * const persistence = StorePersistence.open({ path: '/var/lib/app/metrics', retentionMs, maxBytes, logger });
 * persistence.restoreInto(store);
 * const reader = new StoreReader({ store, intervalMs: 15_000, logger, sinks: [persistence] });
 * ```
 */
export class StorePersistence implements CollectionSink {
  readonly #database: StoreDatabase;
  readonly #options: StorePersistenceOptions;
  readonly #ids = new Map<string, number>();
  #nextId = 1;
  // The collection in progress, as (series id, value) pairs; grown by doubling, reused between collections.
  #pending = new Float64Array(2048);
  #pendingCount = 0;
  // The collection's native histograms as (series id, row bytes).
  readonly #pendingHistograms: Array<[number, Uint8Array]> = [];
  readonly #newSeries: Array<[number, string]> = [];
  #headRows = 0;
  #longestCommitMs = 0;
  #longestSliceMs = 0;
  #closed = false;

  private constructor(database: StoreDatabase, options: StorePersistenceOptions) {
    this.#database = database;
    this.#options = options;
    const db = database.db;
    for (const row of db.prepare('SELECT id, labels FROM series').iterate() as Iterable<{
      id: number;
      labels: string;
    }>) {
      this.#ids.set(row.labels, row.id);
      if (row.id >= this.#nextId) this.#nextId = row.id + 1;
    }
    this.#headRows = Number((db.prepare('SELECT count(*) AS n FROM head').get() as { n: number }).n);
  }

  /**
   * Opens or creates the store in `options.path` (see `openStoreDatabase` for permissions and how a corrupt
   * file is moved aside).
   */
  static open(options: StorePersistenceOptions): StorePersistence {
    return new StorePersistence(openStoreDatabase(options.path, options.logger), options);
  }

  /** The database, for the remote-write history reader, which shares this connection. */
  get database(): StoreDatabase {
    return this.#database;
  }

  /** Longest event-loop blocks measured so far. */
  get timings(): PersistenceTimings {
    return { longestCommitMs: this.#longestCommitMs, longestSliceMs: this.#longestSliceMs };
  }

  /**
   * Loads the persisted history into `store` (synchronously, at startup; see `restoreRows`): sealed chunks
   * series by series, then the head's collections in time order, native histogram rows among them in time
   * order; then applies retention on disk. Series left with no sample are forgotten.
   */
  restoreInto(store: SampleStore): RestoreResult {
    const started = performance.now();
    const { db } = this.#database;
    this.#enforceRetentionSync();
    const labelsById = new Map<number, Labels>();
    for (const [key, id] of this.#ids) labelsById.set(id, labelsOfKey(key));
    const { samples, rejected, referenced } = restoreRows(db, labelsById, store);
    this.#forgetSeriesExcept(referenced);
    store.enforceRetention();
    return {
      series: store.stats().series,
      samples,
      rejected,
      durationMs: performance.now() - started,
    };
  }

  /** Deletes the series rows no chunk or head row refers to any more (retention removed their samples). */
  #forgetSeriesExcept(referenced: ReadonlySet<number>): void {
    const { db } = this.#database;
    const remove = db.prepare('DELETE FROM series WHERE id = ?');
    db.exec('BEGIN');
    for (const [key, id] of this.#ids) {
      if (referenced.has(id)) continue;
      remove.run(id);
      this.#ids.delete(key);
    }
    db.exec('COMMIT');
  }

  /** Hot path: one Map lookup and two array writes per sample; the label key is built once per series per collection. */
  add(labels: Labels, value: number): void {
    const id = this.#idOf(labels);
    if (2 * this.#pendingCount + 2 > this.#pending.length) {
      const bigger = new Float64Array(this.#pending.length * 2);
      bigger.set(this.#pending);
      this.#pending = bigger;
    }
    this.#pending[2 * this.#pendingCount] = id;
    this.#pending[2 * this.#pendingCount + 1] = value;
    this.#pendingCount++;
  }

  /** Encoded at once: the row bytes are a copy, whatever happens to the histogram afterwards. */
  addHistogram(labels: Labels, histogram: FloatHistogram): void {
    this.#pendingHistograms.push([this.#idOf(labels), encodeHistogramRow(histogram)]);
  }

  #idOf(labels: Labels): number {
    const key = seriesKey(labels);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(key, id);
      this.#newSeries.push([id, key]);
    }
    return id;
  }

  /**
   * Writes the collection (its new series and one head row) in one transaction, then seals the head every
   * {@link SEAL_EVERY} collections and applies retention on disk, in slices.
   */
  async collected(timestampMs: number, _resourceMetrics: ResourceMetrics, slice: LoopSlice): Promise<void> {
    if (this.#closed) return;
    const started = performance.now();
    const { db } = this.#database;
    const count = this.#pendingCount;
    this.#pendingCount = 0;
    const histograms = this.#pendingHistograms;
    if (count > 0 || histograms.length > 0 || this.#newSeries.length > 0) {
      db.exec('BEGIN');
      try {
        const insertSeries = db.prepare('INSERT OR IGNORE INTO series (id, labels) VALUES (?, ?)');
        for (const [id, key] of this.#newSeries) insertSeries.run(id, key);
        if (count > 0) {
          // Copied out: the pending buffer is reused by the next collection.
          const data = new Uint8Array(this.#pending.buffer.slice(0, count * 16));
          db.prepare(
            'INSERT INTO head (t, data) VALUES (?, ?) ON CONFLICT (t) DO UPDATE SET data = data || excluded.data',
          ).run(timestampMs, data);
        }
        if (histograms.length > 0) {
          const insert = db.prepare(
            'INSERT OR REPLACE INTO histograms (series_id, t, data) VALUES (?, ?, ?)',
          );
          for (const [id, row] of histograms) insert.run(id, timestampMs, row);
        }
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#newSeries.length = 0;
        histograms.length = 0;
      }
      if (count > 0) this.#headRows++;
    }
    this.#longestCommitMs = Math.max(this.#longestCommitMs, performance.now() - started);
    if (this.#headRows >= SEAL_EVERY) {
      await this.#seal(slice);
      await this.#enforceRetention(slice);
    }
  }

  /**
   * Encodes the head's samples into one chunk per series, a slice of series per transaction, then deletes the
   * sealed head rows in one more. A crash in between leaves chunks and head rows that hold the same samples:
   * restore appends both, and the store refuses the second copy (not after the series' newest sample).
   */
  async #seal(slice: LoopSlice): Promise<void> {
    const { db } = this.#database;
    const rows = db.prepare('SELECT t, data FROM head ORDER BY t').all() as unknown as HeadRow[];
    if (rows.length === 0) return;
    const sealedUntil = rows[rows.length - 1]!.t;
    // Float64Arrays, not number[]: V8 may canonicalise a NaN held in a double array, and the staleness
    // marker is a NaN with a payload. A series has at most one sample per head row.
    const bySeries = new Map<number, { t: Float64Array; v: Float64Array; n: number }>();
    for (const row of rows) {
      const pairs = readHeadRow(row.data);
      for (let i = 0; i < pairs.length; i += 2) {
        const id = pairs[i]!;
        let series = bySeries.get(id);
        if (series === undefined) {
          series = { t: new Float64Array(rows.length), v: new Float64Array(rows.length), n: 0 };
          bySeries.set(id, series);
        }
        series.t[series.n] = row.t;
        series.v[series.n++] = pairs[i + 1]!;
      }
      if (slice.due) await slice.turn();
    }
    const insert = db.prepare(
      'INSERT OR REPLACE INTO chunks (series_id, min_t, max_t, count, data) VALUES (?, ?, ?, ?, ?)',
    );
    let sliceStart = performance.now();
    db.exec('BEGIN');
    try {
      for (const [id, { t, v, n }] of bySeries) {
        insert.run(id, t[0]!, t[n - 1]!, n, encodeXorChunkBytes(t, v, n));
        if (slice.due) {
          db.exec('COMMIT');
          this.#recordSlice(sliceStart);
          await slice.turn();
          sliceStart = performance.now();
          db.exec('BEGIN');
        }
      }
      db.prepare('DELETE FROM head WHERE t <= ?').run(sealedUntil);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    this.#recordSlice(sliceStart);
    this.#headRows = Number((db.prepare('SELECT count(*) AS n FROM head').get() as { n: number }).n);
    await this.#sealHistograms(sealedUntil, slice);
  }

  /**
   * Encodes the histogram rows up to `sealedUntil` into one chunk per series, a slice of series per
   * transaction, then deletes the rows in one more; a crash in between leaves copies that restore refuses,
   * as for the floats. A row that cannot be read is left out of its chunk (and deleted).
   */
  async #sealHistograms(sealedUntil: number, slice: LoopSlice): Promise<void> {
    const { db } = this.#database;
    const rows = db
      .prepare('SELECT series_id, t, data FROM histograms WHERE t <= ? ORDER BY series_id, t')
      .all(sealedUntil) as unknown as Array<{ series_id: number; t: number; data: Uint8Array }>;
    if (rows.length === 0) return;
    const insert = db.prepare(
      'INSERT OR REPLACE INTO histogram_chunks (series_id, min_t, max_t, count, data) VALUES (?, ?, ?, ?, ?)',
    );
    let sliceStart = performance.now();
    db.exec('BEGIN');
    try {
      let run: TimedHistogram[] = [];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        try {
          run.push({ t: row.t, histogram: decodeHistogramRow(row.data) });
        } catch {
          // Damaged: no complete transaction writes one; the sample is lost, the series' others kept.
        }
        if (rows[i + 1]?.series_id === row.series_id) continue;
        if (run.length > 0)
          insert.run(row.series_id, run[0]!.t, run.at(-1)!.t, run.length, encodeHistogramChunk(run));
        run = [];
        if (slice.due) {
          db.exec('COMMIT');
          this.#recordSlice(sliceStart);
          await slice.turn();
          sliceStart = performance.now();
          db.exec('BEGIN');
        }
      }
      db.prepare('DELETE FROM histograms WHERE t <= ?').run(sealedUntil);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    this.#recordSlice(sliceStart);
  }

  #recordSlice(start: number): void {
    this.#longestSliceMs = Math.max(this.#longestSliceMs, performance.now() - start);
  }

  /** Retention on disk between collections; each delete is one statement, so a slice of its own. */
  async #enforceRetention(slice: LoopSlice): Promise<void> {
    const start = performance.now();
    this.#enforceRetentionSync();
    this.#recordSlice(start);
    if (slice.due) await slice.turn();
  }

  /**
   * Deletes chunks and rows older than the retention window, then the oldest chunks and histogram rows until
   * the database uses at most `maxBytes` (pages in use, free pages excluded), and gives freed pages back to
   * the file system.
   */
  #enforceRetentionSync(): void {
    const { db } = this.#database;
    const { retentionMs, maxBytes } = this.#options;
    if (Number.isFinite(retentionMs)) {
      const cutoff = (this.#options.now ?? Date.now)() - retentionMs;
      db.prepare('DELETE FROM chunks WHERE max_t < ?').run(cutoff);
      db.prepare('DELETE FROM head WHERE t < ?').run(cutoff);
      db.prepare('DELETE FROM histograms WHERE t < ?').run(cutoff);
      db.prepare('DELETE FROM histogram_chunks WHERE max_t < ?').run(cutoff);
    }
    if (Number.isFinite(maxBytes)) {
      // Each kind of history loses the same share per round, so floats and histograms keep about the same span.
      const kinds = OLDEST_FIRST.map(({ table, key, time, minimum }) => ({
        minimum,
        count: db.prepare(`SELECT count(*) AS n FROM ${table}`),
        deleteOldest: db.prepare(
          `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} ORDER BY ${time} LIMIT ?)`,
        ),
      }));
      for (let over = usedBytes(db) - maxBytes; over > 0; over = usedBytes(db) - maxBytes) {
        let left = 0;
        for (const { count, deleteOldest, minimum } of kinds) {
          const n = Number((count.get() as { n: number }).n);
          left += n;
          // A tenth per round: few rounds when far over, little overshoot near.
          if (n > 0) deleteOldest.run(Math.max(minimum, Math.ceil(n / 10)));
        }
        if (left === 0) break;
      }
    }
    db.exec('PRAGMA incremental_vacuum');
  }

  /** Closes the database; later collections are not written. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#database.db.close();
  }
}

interface HeadRow {
  readonly t: number;
  readonly data: Uint8Array;
}

/**
 * What the byte budget deletes, oldest first: sealed chunks of both kinds, and histogram rows; at least
 * `minimum` a round, fewer for histogram chunks, which are few and large (a series' 120 histograms each).
 */
const OLDEST_FIRST = [
  { table: 'chunks', key: 'series_id, min_t', time: 'min_t', minimum: 64 },
  { table: 'histogram_chunks', key: 'series_id, min_t', time: 'min_t', minimum: 1 },
  { table: 'histograms', key: 'series_id, t', time: 't', minimum: 64 },
] as const;

function usedBytes(db: StoreDatabase['db']): number {
  const pages = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
  const free = Number(
    (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count,
  );
  const size = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
  return (pages - free) * size;
}

/** The label set of a `seriesKey` (JSON pairs, sorted by name). */
function labelsOfKey(key: string): Labels {
  return Object.freeze(Object.fromEntries(JSON.parse(key) as [string, string][]));
}
