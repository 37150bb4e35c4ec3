/**
 * The data of one export chunk as the writers see it, and the time-major walk over it that gives every output
 * format rows in time order.
 */

import type { MatrixSeries } from './query-range-parser.ts';
import type { RangeChunk } from './range-split.ts';

/** One series of one chunk, with its output `metric` resolved. */
export interface ChunkSeries {
  /** `__name__`, or the query text when the expression drops the name (e.g. `sum(rate(x[5m]))`). */
  readonly metric: string;
  /** Labels without `__name__`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Point timestamps in Unix ms, ascending. */
  readonly timestampsMs: readonly number[];
  /** Point values as the source wrote them, one per timestamp. */
  readonly values: readonly string[];
}

/** Everything fetched for one chunk, over all queries. */
export interface ChunkData {
  readonly chunk: RangeChunk;
  /** ms between steps. */
  readonly step: number;
  readonly series: readonly ChunkSeries[];
}

/** Converts a query's answer into {@link ChunkSeries}, naming nameless results after the query. */
export function toChunkSeries(result: readonly MatrixSeries[], queryText: string): ChunkSeries[] {
  return result.map((series) => {
    const { __name__: name, ...labels } = series.metric;
    return { metric: name ?? queryText, labels, timestampsMs: series.timestampsMs, values: series.values };
  });
}

/**
 * Calls `visit(timestampMs, seriesIndex, value)` for every point of the chunk, ordered by timestamp and, within
 * a timestamp, by series. All series share the chunk's step grid, so one cursor per series is enough: no sort.
 */
export function forEachPointInTimeOrder(
  data: ChunkData,
  visit: (timestampMs: number, seriesIndex: number, value: string) => void,
): void {
  const { chunk, step, series } = data;
  const cursors = new Array<number>(series.length).fill(0);
  for (let i = 0; i < chunk.points; i++) {
    const t = chunk.start + i * step;
    for (let s = 0; s < series.length; s++) {
      const { timestampsMs, values } = series[s]!;
      let cursor = cursors[s]!;
      // A point off the grid (never sent by Prometheus) is skipped rather than stalling the series; past the
      // last point the index reads undefined, which compares false and ends the walk.
      while (timestampsMs[cursor]! < t) cursor++;
      if (timestampsMs[cursor] === t) {
        visit(t, s, values[cursor]!);
        cursor++;
      }
      cursors[s] = cursor;
    }
  }
}
