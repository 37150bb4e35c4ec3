/**
 * Restore of the persisted rows into the in-memory store (see store-persistence.ts for the layout): sealed
 * chunks, head rows, native histogram chunks and rows, each series' samples in time order.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { FloatHistogram, Labels, SampleStore } from '@yardstick/promql';
import { readChunkSamples, readHeadRow } from './chunk-rows.ts';
import { decodeHistogramChunk } from './histogram-chunk-bytes.ts';
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

/** A persisted histogram sample; `histogram` is undefined when its row or chunk is damaged. */
interface PersistedHistogram {
  readonly series_id: number;
  readonly t: number;
  readonly histogram: FloatHistogram | undefined;
}

function* rowHistograms(rows: Iterable<HistogramRow>): Generator<PersistedHistogram, void, undefined> {
  for (const { series_id, t, data } of rows) {
    let histogram: FloatHistogram | undefined;
    try {
      histogram = decodeHistogramRow(data);
    } catch {
      // A damaged row (no complete transaction writes one): that sample is lost, the others restored.
    }
    yield { series_id, t, histogram };
  }
}

function* chunkHistograms(rows: Iterable<ChunkRow>): Generator<PersistedHistogram, void, undefined> {
  for (const { series_id, min_t, count, data } of rows) {
    let samples: ReturnType<typeof decodeHistogramChunk>;
    try {
      samples = decodeHistogramChunk(data, Number(min_t), Number(count));
    } catch {
      yield { series_id, t: Number(min_t), histogram: undefined };
      continue;
    }
    for (const { t, histogram } of samples) yield { series_id, t, histogram };
  }
}

/** The samples of two streams ordered by series then time, in that order. */
function* bySeriesThenTime(
  a: Iterator<PersistedHistogram>,
  b: Iterator<PersistedHistogram>,
): Generator<PersistedHistogram, void, undefined> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    const takeX =
      !x.done &&
      (y.done ||
        x.value.series_id < y.value.series_id ||
        (x.value.series_id === y.value.series_id && x.value.t <= y.value.t));
    if (takeX) {
      yield x.value as PersistedHistogram;
      x = a.next();
    } else {
      yield y.value as PersistedHistogram;
      y = b.next();
    }
  }
}

/** Histogram samples read one at a time, so they can be interleaved with the float samples. */
class HistogramCursor {
  readonly #samples: Iterator<PersistedHistogram>;
  sample: PersistedHistogram | undefined;

  constructor(samples: Iterator<PersistedHistogram>) {
    this.#samples = samples;
    this.sample = this.advance();
  }

  advance(): PersistedHistogram | undefined {
    const next = this.#samples.next();
    this.sample = next.done ? undefined : next.value;
    return this.sample;
  }
}

/**
 * Appends every persisted sample of a series in `labelsById` to `store`. A series' samples must reach the
 * store in time order, and a histogram series has float samples too (its staleness markers). Chunks hold
 * every sample up to the last seal, the head and histogram rows every later one: sealed histograms go in
 * with the float chunks, series by series, and later ones with the head rows, by time.
 */
export function restoreRows(
  db: DatabaseSync,
  labelsById: ReadonlyMap<number, Labels>,
  store: SampleStore,
): RestoredRows {
  const referenced = new Set<number>();
  let samples = 0;
  let rejected = 0;
  const appendHistograms = (cursor: HistogramCursor, before: (h: PersistedHistogram) => boolean): void => {
    for (let h = cursor.sample; h !== undefined && before(h); h = cursor.advance()) {
      const labels = labelsById.get(h.series_id);
      if (labels === undefined) continue;
      referenced.add(h.series_id);
      if (h.histogram !== undefined && store.appendHistogram(labels, h.t, h.histogram)) samples++;
      else rejected++;
    }
  };
  const histogramRows = (query: string, bound: number) =>
    rowHistograms(db.prepare(query).iterate(bound) as Iterable<HistogramRow>);

  const sealed = (
    db
      .prepare(
        'SELECT max(t) AS t FROM (SELECT max(max_t) AS t FROM chunks UNION ALL SELECT max(max_t) FROM histogram_chunks)',
      )
      .get() as { t: number | null }
  ).t;
  const withChunks =
    sealed === null
      ? undefined
      : new HistogramCursor(
          bySeriesThenTime(
            chunkHistograms(
              db
                .prepare(
                  'SELECT series_id, min_t, count, data FROM histogram_chunks ORDER BY series_id, min_t',
                )
                .iterate() as Iterable<ChunkRow>,
            ),
            histogramRows(
              'SELECT series_id, t, data FROM histograms WHERE t <= ? ORDER BY series_id, t',
              sealed,
            ),
          ),
        );
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
      const next = withChunks?.sample;
      if (next !== undefined && next.series_id === id && next.t < t)
        appendHistograms(withChunks!, (h) => h.series_id === id && h.t < t);
      if (store.append(labels, t, values[i]!)) samples++;
      else rejected++;
    }
  }
  if (withChunks !== undefined) appendHistograms(withChunks, () => true);

  const withHead = new HistogramCursor(
    histogramRows(
      'SELECT series_id, t, data FROM histograms WHERE t > ? ORDER BY t',
      sealed ?? Number.MIN_SAFE_INTEGER,
    ),
  );
  for (const row of db.prepare('SELECT t, data FROM head ORDER BY t').iterate() as Iterable<HeadRow>) {
    if (withHead.sample !== undefined && withHead.sample.t < row.t)
      appendHistograms(withHead, (h) => h.t < row.t);
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
