/**
 * Splitting an export range into `/api/v1/query_range` requests that each stay under Prometheus's limit of
 * 11,000 points per series, without moving the step grid: every chunk's timestamps are exactly the ones a
 * single request over the whole range would have returned.
 */

/** Prometheus rejects a range query whose `(end - start) / step` exceeds this (`exceeded maximum resolution`). */
export const PROMETHEUS_MAX_POINTS_PER_SERIES = 11_000;

/** One `query_range` request's window; `start` and `end` are on the export's step grid, both inclusive. */
export interface RangeChunk {
  /** Position of the chunk in time order, from 0. */
  readonly index: number;
  /** Unix ms of the chunk's first step. */
  readonly start: number;
  /** Unix ms of the chunk's last step. */
  readonly end: number;
  /** Number of steps (points per series) in the chunk. */
  readonly points: number;
}

/**
 * Splits `[start, end]` at `step` into chunks of at most `maxPoints` steps each.
 *
 * @param start - Unix ms, the first step
 * @param end - Unix ms; the last step is the last grid point not after it
 * @param step - ms between points, > 0
 * @param maxPoints - points per series per request (default {@link PROMETHEUS_MAX_POINTS_PER_SERIES})
 */
export function splitRange(
  start: number,
  end: number,
  step: number,
  maxPoints = PROMETHEUS_MAX_POINTS_PER_SERIES,
): RangeChunk[] {
  const totalPoints = Math.floor((end - start) / step) + 1;
  const chunks: RangeChunk[] = [];
  for (let first = 0; first < totalPoints; first += maxPoints) {
    const points = Math.min(maxPoints, totalPoints - first);
    const chunkStart = start + first * step;
    chunks.push({ index: chunks.length, start: chunkStart, end: chunkStart + (points - 1) * step, points });
  }
  return chunks;
}
