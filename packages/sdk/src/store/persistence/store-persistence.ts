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
 * sample: histogram-chunk-bytes.ts). Sealing and retention run in bounded steps with event-loop turns between
 * them (disk-steps.ts, which also says how a crash mid-seal stays consistent).
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { LoopSlice } from '@yardstick/metrics-core';
import type { FloatHistogram, Labels, SampleStore } from '@yardstick/promql';
import type { Logger } from '../../logging/logger.ts';
import type { CollectionSink } from '../collection-sink.ts';
import { seriesKey } from '../series-key.ts';
import { type DiskSteps, dropSealed, retentionSteps, sealedUntil, sealSteps } from './disk-steps.ts';
import { encodeHistogramRow } from './histogram-row.ts';
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
  /**
   * The same two in CPU time of the thread (of the process before Node 23.9): on a busy machine the wall
   * time of a short stretch mostly measures waiting for a core.
   */
  readonly longestCommitCpuMs: number;
  readonly longestSliceCpuMs: number;
}

/** A stretch of work: its start in wall and CPU time. */
interface Stretch {
  readonly ms: number;
  readonly cpuMs: number;
}

function stretchStart(): Stretch {
  return { ms: performance.now(), cpuMs: cpuMs() };
}

function cpuMs(): number {
  const { user, system } = process.threadCpuUsage?.() ?? process.cpuUsage();
  return (user + system) / 1000;
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
  #longestCommitCpuMs = 0;
  #longestSliceCpuMs = 0;
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
    this.#countHeadRows();
  }

  /** Head rows not sealed yet (a crash may have left sealed ones, deleted before the next seal). */
  #countHeadRows(): void {
    const { db } = this.#database;
    const after = sealedUntil(db) ?? Number.MIN_SAFE_INTEGER;
    this.#headRows = Number(
      (db.prepare('SELECT count(*) AS n FROM head WHERE t > ?').get(after) as { n: number }).n,
    );
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
    return {
      longestCommitMs: this.#longestCommitMs,
      longestSliceMs: this.#longestSliceMs,
      longestCommitCpuMs: this.#longestCommitCpuMs,
      longestSliceCpuMs: this.#longestSliceCpuMs,
    };
  }

  /**
   * Loads the persisted history into `store` (synchronously, at startup; see `restoreRows`): sealed chunks
   * series by series, then the head's collections in time order, native histogram rows among them in time
   * order; before that, deletes rows a seal interrupted by a crash had sealed, and applies retention on disk.
   * Series left with no sample are forgotten.
   */
  restoreInto(store: SampleStore): RestoreResult {
    const started = performance.now();
    const { db } = this.#database;
    this.#runSync(dropSealed(db));
    this.#runSync(this.#retention());
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
    const started = stretchStart();
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
    this.#longestCommitMs = Math.max(this.#longestCommitMs, performance.now() - started.ms);
    this.#longestCommitCpuMs = Math.max(this.#longestCommitCpuMs, cpuMs() - started.cpuMs);
    if (this.#headRows >= SEAL_EVERY) {
      await this.#seal(slice);
      await this.#enforceRetention(slice);
    }
  }

  /**
   * Seals the head (see disk-steps.ts), then applies retention on disk, committing and giving the event loop
   * a turn whenever `slice` is used up.
   */
  async #seal(slice: LoopSlice): Promise<void> {
    const { db } = this.#database;
    await this.#run(dropSealed(db), slice);
    if (this.#closed) return;
    const newest = (db.prepare('SELECT max(t) AS t FROM head').get() as { t: number | null }).t;
    if (newest !== null) await this.#run(sealSteps(db, Number(newest)), slice);
    if (!this.#closed) this.#countHeadRows();
  }

  /** Retention on disk between collections. */
  async #enforceRetention(slice: LoopSlice): Promise<void> {
    await this.#run(this.#retention(), slice);
  }

  #retention(): DiskSteps {
    const { retentionMs, maxBytes } = this.#options;
    const cutoff = Number.isFinite(retentionMs) ? (this.#options.now ?? Date.now)() - retentionMs : undefined;
    return retentionSteps(this.#database.db, cutoff, maxBytes);
  }

  /**
   * Runs `steps` in transactions, committing and giving the loop a turn when `slice` is used up; stops at a
   * turn after which the persistence is closed (what is committed is consistent at every step).
   */
  async #run(steps: DiskSteps, slice: LoopSlice): Promise<void> {
    if (this.#closed) return;
    const { db } = this.#database;
    let sliceStart = stretchStart();
    db.exec('BEGIN');
    try {
      for (const _ of steps) {
        if (!slice.due) continue;
        db.exec('COMMIT');
        this.#recordSlice(sliceStart);
        await slice.turn();
        if (this.#closed) return;
        sliceStart = stretchStart();
        db.exec('BEGIN');
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isOpen && db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    this.#recordSlice(sliceStart);
  }

  /** Runs `steps` at once, in one transaction (at startup). */
  #runSync(steps: DiskSteps): void {
    const { db } = this.#database;
    db.exec('BEGIN');
    try {
      for (const _ of steps);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  #recordSlice(start: Stretch): void {
    this.#longestSliceMs = Math.max(this.#longestSliceMs, performance.now() - start.ms);
    this.#longestSliceCpuMs = Math.max(this.#longestSliceCpuMs, cpuMs() - start.cpuMs);
  }

  /** Closes the database; later collections are not written. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#database.db.close();
  }
}

/** The label set of a `seriesKey` (JSON pairs, sorted by name). */
function labelsOfKey(key: string): Labels {
  return Object.freeze(Object.fromEntries(JSON.parse(key) as [string, string][]));
}
