/**
 * The data of one export chunk as the writers see it, and the time-major walk over it that gives every output
 * format rows in time order.
 */
import type { RangeChunk } from './range-split.ts';
import type { RangeSeries } from './source-client.ts';

/** One series of one chunk, with its output `metric` resolved. */
export interface ChunkSeries {
  /** `__name__`, or the query text when the expression drops the name (e.g. `sum(rate(x[5m]))`). */
  readonly metric: string;
  /** Labels without `__name__`. */
  readonly labels: Readonly<Record<string, string>>;
  /** `[unixSeconds, "value"]` as the source sent them. */
  readonly values: RangeSeries['values'];
}

/** Everything fetched for one chunk, over all queries. */
export interface ChunkData {
  readonly chunk: RangeChunk;
  /** ms between steps. */
  readonly step: number;
  readonly series: readonly ChunkSeries[];
}

/** Converts a query's answer into {@link ChunkSeries}, naming nameless results after the query. */
export function toChunkSeries(result: readonly RangeSeries[], queryText: string): ChunkSeries[] {
  return result.map((series) => {
    const { __name__: name, ...labels } = series.metric;
    return { metric: name ?? queryText, labels, values: series.values };
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
      const values = series[s]!.values;
      let cursor = cursors[s]!;
      let point = values[cursor];
      // Timestamps arrive as float seconds; rounding to ms matches the grid exactly. A point off the grid
      // (never sent by Prometheus) is skipped rather than stalling the series.
      let pointMs = point === undefined ? Number.POSITIVE_INFINITY : Math.round(point[0] * 1000);
      while (pointMs < t) {
        point = values[++cursor];
        pointMs = point === undefined ? Number.POSITIVE_INFINITY : Math.round(point[0] * 1000);
      }
      if (pointMs === t) {
        visit(t, s, point![1]);
        cursor++;
      }
      cursors[s] = cursor;
    }
  }
}
