/**
 * The `/v1/stats` endpoint of the telemetry server: {@link computeServiceStats} as JSON, over a window the
 * caller may choose (`?window=15m`, default `5m`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDurationMs, type Queryable } from '@yardstick/promql';
import { computeServiceStats } from './service-stats.ts';

/** Options of {@link createStatsHandler}. */
export interface StatsHandlerOptions {
  readonly store: Queryable;
  /** The clock, for tests. */
  readonly now?: () => number;
}

const MIN_WINDOW_MS = 10_000;
const MAX_WINDOW_MS = 24 * 3_600_000;

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

/**
 * The `window` parameter of a `/v1/stats` request (default `5m`), or the 400 message when it is not a
 * duration from 10s to 24h.
 */
export function statsWindowOf(url: string | undefined): { window: string } | { error: string } {
  const window = new URL(url ?? '/', 'http://localhost').searchParams.get('window') ?? '5m';
  const windowMs = parseDurationMs(window);
  if (windowMs === undefined || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
    return {
      error: `window: expected a duration from 10s to 24h such as "5m", got ${JSON.stringify(window)}`,
    };
  }
  return { window };
}

/**
 * The request handler for `GET /v1/stats`, computing in the calling thread. A bad `window` is a 400
 * naming the parameter; the stats themselves never fail the request (a part without data is empty).
 * `startTelemetry` serves `/v1/stats` from the query API's worker threads instead (see `createQueryApi`).
 */
export function createStatsHandler(
  options: StatsHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = options.now ?? Date.now;
  return (req, res) => {
    const parsed = statsWindowOf(req.url);
    if ('error' in parsed) {
      send(res, 400, { status: 'error', error: parsed.error });
      return;
    }
    send(res, 200, computeServiceStats(options.store, parsed.window, now()));
  };
}
