/**
 * The persistence's long disk work (sealing, deleting sealed rows, retention, vacuum) as generators of bounded
 * steps: each `yield` ends a step of at most ~2.5 ms at 10k series on a quiet machine (part of a head row read,
 * one chunk written, one head row or {@link DELETE_BATCH} rows deleted, {@link VACUUM_PAGES} pages vacuumed),
 * a point where the caller may commit and give the event loop a turn. Measured before (10k series, 120
 * collections per seal): the seal read all head rows (~19 MB) in one statement, 12-20 ms of CPU, and
 * retention vacuumed every freed page in one, 34-50 ms of CPU (50-62 ms wall); the longest slice is now
 * 15-23 ms wall, and what is left of it is the COMMIT's WAL checkpoint (12-17 ms when it falls in a slice).
 *
 * Crash safety across the many transactions of a seal: chunks are written first (a chunk replaces one of the
 * same series and start, so a seal redone after a crash rewrites what it had written); once every chunk is
 * written, the `sealed` row records the newest sealed time; only then are the sealed rows deleted, oldest
 * first. Rows at or before `sealed` are deleted before anything else reads the head (`dropSealed`), so a
 * crash at any commit leaves every sample in a chunk or a head row and none sealed twice.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { encodeXorChunkBytes } from '@yardstick/promql';
import { readHeadRow } from './chunk-rows.ts';
import { encodeHistogramChunk, type TimedHistogram } from './histogram-chunk-bytes.ts';
import { decodeHistogramRow } from './histogram-row.ts';

/** Steps of disk work; the caller runs them, in one transaction or committing between steps. */
export type DiskSteps = Generator<void, void, undefined>;

/** Rows (chunks, histogram rows) one delete statement removes at most; a head row (one collection) goes alone. */
const DELETE_BATCH = 256;
/**
 * Series whose sample arrays share one allocation while sealing: 10k series of their own arrays took the
 * first head row's step to 10-20 ms of CPU (allocation and the major GC after it).
 */
const SERIES_PER_BLOCK = 512;
/** Samples of a head row taken in one step: the first row meets every series, 10k of them ~10 ms of CPU. */
const PAIRS_PER_STEP = 2048;
/** Pages one incremental vacuum step gives back. */
const VACUUM_PAGES = 256;
const NO_TIME = Number.MIN_SAFE_INTEGER;

/** The newest time sealed into chunks by a seal that completed its chunks, if any. */
export function sealedUntil(db: DatabaseSync): number | undefined {
  const row = db.prepare('SELECT t FROM sealed WHERE id = 1').get() as { t: number } | undefined;
  return row === undefined ? undefined : Number(row.t);
}

/**
 * Seals the head rows and histogram rows up to `until` (the newest head row) into one chunk per series and
 * kind, records `until` as sealed, then deletes those rows.
 */
export function* sealSteps(db: DatabaseSync, until: number): DiskSteps {
  yield* sealFloats(db, until);
  yield* sealHistograms(db, until);
  db.prepare('INSERT INTO sealed (id, t) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET t = excluded.t').run(
    until,
  );
  yield* dropSealed(db);
}

/** Head rows read one at a time (a collection each), then one XOR chunk per series. */
function* sealFloats(db: DatabaseSync, until: number): DiskSteps {
  const rows = Number(
    (db.prepare('SELECT count(*) AS n FROM head WHERE t <= ?').get(until) as { n: number }).n,
  );
  // Float64Arrays, not number[]: V8 may canonicalise a NaN held in a double array, and the staleness
  // marker is a NaN with a payload. A series has at most one sample per head row.
  const bySeries = new Map<number, { t: Float64Array; v: Float64Array; n: number }>();
  let block = new Float64Array(0);
  let blockUsed = 0;
  const next = db.prepare('SELECT t, data FROM head WHERE t > ? AND t <= ? ORDER BY t LIMIT 1');
  let after = NO_TIME;
  for (;;) {
    const row = next.get(after, until) as { t: number; data: Uint8Array } | undefined;
    if (row === undefined) break;
    after = Number(row.t);
    const pairs = readHeadRow(row.data);
    for (let i = 0; i < pairs.length; i += 2) {
      const id = pairs[i]!;
      let series = bySeries.get(id);
      if (series === undefined) {
        if (blockUsed === block.length) {
          block = new Float64Array(SERIES_PER_BLOCK * 2 * rows);
          blockUsed = 0;
        }
        const t = block.subarray(blockUsed, blockUsed + rows);
        const v = block.subarray(blockUsed + rows, blockUsed + 2 * rows);
        blockUsed += 2 * rows;
        series = { t, v, n: 0 };
        bySeries.set(id, series);
      }
      series.t[series.n] = after;
      series.v[series.n++] = pairs[i + 1]!;
      // The row is a copy of the blob (node:sqlite reads one per call): a step may end mid-row.
      if ((i >>> 1) % PAIRS_PER_STEP === PAIRS_PER_STEP - 1) yield;
    }
    yield;
  }
  const insert = db.prepare(
    'INSERT OR REPLACE INTO chunks (series_id, min_t, max_t, count, data) VALUES (?, ?, ?, ?, ?)',
  );
  for (const [id, { t, v, n }] of bySeries) {
    insert.run(id, t[0]!, t[n - 1]!, n, encodeXorChunkBytes(t, v, n));
    yield;
  }
}

/** One series' histogram rows at a time into a chunk. A row that cannot be read is left out (and deleted). */
function* sealHistograms(db: DatabaseSync, until: number): DiskSteps {
  const nextSeries = db.prepare(
    'SELECT series_id FROM histograms WHERE series_id > ? ORDER BY series_id LIMIT 1',
  );
  const rowsOf = db.prepare('SELECT t, data FROM histograms WHERE series_id = ? AND t <= ? ORDER BY t');
  const insert = db.prepare(
    'INSERT OR REPLACE INTO histogram_chunks (series_id, min_t, max_t, count, data) VALUES (?, ?, ?, ?, ?)',
  );
  let id = NO_TIME;
  for (;;) {
    const series = nextSeries.get(id) as { series_id: number } | undefined;
    if (series === undefined) break;
    id = Number(series.series_id);
    const run: TimedHistogram[] = [];
    for (const row of rowsOf.all(id, until) as Array<{ t: number; data: Uint8Array }>) {
      try {
        run.push({ t: Number(row.t), histogram: decodeHistogramRow(row.data) });
      } catch {
        // Damaged: no complete transaction writes one; the sample is lost, the series' others kept.
      }
    }
    if (run.length > 0) insert.run(id, run[0]!.t, run.at(-1)!.t, run.length, encodeHistogramChunk(run));
    yield;
  }
}

/** Deletes the head and histogram rows a completed seal put into chunks, oldest first. */
export function* dropSealed(db: DatabaseSync): DiskSteps {
  const until = sealedUntil(db);
  if (until === undefined) return;
  const head = db.prepare('DELETE FROM head WHERE t = (SELECT min(t) FROM head WHERE t <= ?)');
  while (Number(head.run(until).changes) > 0) yield;
  yield* deleteInBatches(
    db.prepare(
      'DELETE FROM histograms WHERE (series_id, t) IN (SELECT series_id, t FROM histograms WHERE t <= ? ORDER BY t LIMIT ?)',
    ),
    until,
  );
}

/** Runs `statement` (its last parameter the batch size) until it deletes fewer than a batch. */
function* deleteInBatches(statement: StatementSync, ...args: number[]): DiskSteps {
  for (;;) {
    const deleted = Number(statement.run(...args, DELETE_BATCH).changes);
    yield;
    if (deleted < DELETE_BATCH) return;
  }
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

/**
 * Deletes chunks and rows older than `cutoff` (when given), then the oldest chunks and histogram rows until
 * the database uses at most `maxBytes` (pages in use, free pages excluded), then gives freed pages back to
 * the file system.
 */
export function* retentionSteps(db: DatabaseSync, cutoff: number | undefined, maxBytes: number): DiskSteps {
  if (cutoff !== undefined) {
    for (const { table, key } of OLDEST_FIRST.filter((kind) => kind.table !== 'histograms')) {
      yield* deleteInBatches(
        db.prepare(
          `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE max_t < ? LIMIT ?)`,
        ),
        cutoff,
      );
    }
    const head = db.prepare('DELETE FROM head WHERE t = (SELECT min(t) FROM head WHERE t < ?)');
    while (Number(head.run(cutoff).changes) > 0) yield;
    yield* deleteInBatches(
      db.prepare(
        'DELETE FROM histograms WHERE (series_id, t) IN (SELECT series_id, t FROM histograms WHERE t < ? LIMIT ?)',
      ),
      cutoff,
    );
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
        for (let share = n > 0 ? Math.max(minimum, Math.ceil(n / 10)) : 0; share > 0; ) {
          const deleted = Number(deleteOldest.run(Math.min(share, DELETE_BATCH)).changes);
          share = deleted === 0 ? 0 : share - deleted;
          yield;
        }
      }
      if (left === 0) break;
    }
  }
  const freePages = db.prepare('PRAGMA freelist_count');
  const free = () => Number((freePages.get() as { freelist_count: number }).freelist_count);
  // Stops when a step gives nothing back too (a file without incremental auto-vacuum).
  for (let before = free(), after = before; after > 0; before = after) {
    db.exec(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`);
    after = free();
    yield;
    if (after >= before) return;
  }
}

function usedBytes(db: DatabaseSync): number {
  const pages = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
  const free = Number(
    (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count,
  );
  const size = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
  return (pages - free) * size;
}
