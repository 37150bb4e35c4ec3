/**
 * Restore of the persisted rows into the in-memory store (see store-persistence.ts for the layout): sealed
 * chunks, head rows and native histogram rows, each series' samples in time order.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FloatHistogram, Labels, SampleStore } from '@yardstick/promql';
import { readChunkSamples, readHeadRow } from './chunk-rows.ts';
import { decodeHistogramRow } from './histogram-row.ts';

/** What {@link restoreRows} appended. */
export interface RestoredRows {
  readonly samples: number;
  /** Samples the store refused (not after the series' newest, invalid) or rows that could not be read. */
  readonly rejected: number;
  /** Series ids with at least one row. */
  readonly referenced: ReadonlySet<number>;
}

interface ChunkRow {
  readonly series_id: number;
  readonly min_t: number;
  readonly count: number;
  readonly data: Uint8Array;
}

interface HeadRow {
  readonly t: number;
  readonly data: Uint8Array;
}

interface HistogramRow {
  readonly series_id: number;
  readonly t: number;
  readonly data: Uint8Array;
}

/** Histogram rows read one at a time, so they can be interleaved with the float samples. */
class HistogramCursor {
  readonly #rows: Iterator<HistogramRow>;
  row: HistogramRow | undefined;

  constructor(rows: Iterator<HistogramRow>) {
    this.#rows = rows;
    this.row = this.advance();
  }

  advance(): HistogramRow | undefined {
    const next = this.#rows.next();
    this.row = next.done ? undefined : next.value;
    return this.row;
  }
}

/**
 * Appends every persisted sample of a series in `labelsById` to `store`. A series' samples must reach the
 * store in time order, and a histogram series has float samples too (its staleness markers). Chunks hold
 * every float sample up to the last seal, the head every later one: histogram rows up to the seal go in with
 * the chunks, series by series, and later ones with the head rows, by time.
 */
export function restoreRows(
  db: DatabaseSync,
  labelsById: ReadonlyMap<number, Labels>,
  store: SampleStore,
): RestoredRows {
  const referenced = new Set<number>();
  let samples = 0;
  let rejected = 0;
  const appendHistograms = (cursor: HistogramCursor, before: (row: HistogramRow) => boolean): void => {
    for (let row = cursor.row; row !== undefined && before(row); row = cursor.advance()) {
      const labels = labelsById.get(row.series_id);
      if (labels === undefined) continue;
      referenced.add(row.series_id);
      let histogram: FloatHistogram | undefined;
      try {
        histogram = decodeHistogramRow(row.data);
      } catch {
        // A damaged row (no complete transaction writes one): that sample is lost, the others restored.
      }
      if (histogram !== undefined && store.appendHistogram(labels, row.t, histogram)) samples++;
      else rejected++;
    }
  };
  const histogramRows = (query: string, bound: number) =>
    new HistogramCursor(db.prepare(query).iterate(bound) as Iterator<HistogramRow>);

  const sealed = (db.prepare('SELECT max(max_t) AS t FROM chunks').get() as { t: number | null }).t;
  const withChunks =
    sealed === null
      ? undefined
      : histogramRows('SELECT series_id, t, data FROM histograms WHERE t <= ? ORDER BY series_id, t', sealed);
  const chunks = db
    .prepare('SELECT series_id, min_t, count, data FROM chunks ORDER BY series_id, min_t')
    .iterate() as Iterable<ChunkRow>;
  for (const row of chunks) {
    const id = row.series_id;
    if (withChunks !== undefined) appendHistograms(withChunks, (h) => h.series_id < id);
    const labels = labelsById.get(id);
    if (labels === undefined) continue;
    referenced.add(id);
    const { timestamps, values } = readChunkSamples(row);
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i]!;
      // Checked here, not in a closure: this loop runs once per float sample of the history.
      const next = withChunks?.row;
      if (next !== undefined && next.series_id === id && next.t < t)
        appendHistograms(withChunks!, (h) => h.series_id === id && h.t < t);
      if (store.append(labels, t, values[i]!)) samples++;
      else rejected++;
    }
  }
  if (withChunks !== undefined) appendHistograms(withChunks, () => true);

  const withHead = histogramRows(
    'SELECT series_id, t, data FROM histograms WHERE t > ? ORDER BY t',
    sealed ?? Number.MIN_SAFE_INTEGER,
  );
  for (const row of db.prepare('SELECT t, data FROM head ORDER BY t').iterate() as Iterable<HeadRow>) {
    if (withHead.row !== undefined && withHead.row.t < row.t) appendHistograms(withHead, (h) => h.t < row.t);
    const pairs = readHeadRow(row.data);
    for (let i = 0; i < pairs.length; i += 2) {
      const labels = labelsById.get(pairs[i]!);
      if (labels === undefined) continue;
      referenced.add(pairs[i]!);
      if (store.append(labels, row.t, pairs[i + 1]!)) samples++;
      else rejected++;
    }
  }
  appendHistograms(withHead, () => true);
  return { samples, rejected, referenced };
}
