/**
 * `GET /v1/stats`: Nexus's `StatsResponse` (seed 004 T007/T021–T024/T038/T039/T049/T060/T061/T068/T069),
 * computed from the tally of {@link NexusMetrics} and the registry at request time, no caching:
 * `requests` {total, success (2xx), errors (total - success)}; `backends[]` with every registered backend
 * sorted by name; `models[]` with every routed model sorted by requests, most first; averages in
 * milliseconds to one decimal, 0 without requests; 503 with a JSON error when metrics are not initialized.
 * The JSON Schema is `contracts/nexus-stats-response.schema.json`.
 */
import type { ServerResponse } from 'node:http';
import type { NexusMetrics } from './nexus-metrics.ts';

/** `requests` of the response. */
export interface RequestStats {
  readonly total: number;
  readonly success: number;
  readonly errors: number;
}

/**
 * One registered backend. The spec's contract names it `id`; the issue tracking this example names it
 * `name`: both are served, with the same value, so dashboards written against either keep working.
 */
export interface BackendStats {
  readonly id: string;
  readonly name: string;
  readonly requests: number;
  readonly average_latency_ms: number;
  /** Attempts in flight on the backend now (`nexus_pending_requests`). */
  readonly pending: number;
}

/** One routed model. */
export interface ModelStats {
  readonly name: string;
  readonly requests: number;
  readonly average_duration_ms: number;
}

/** What `GET /v1/stats` answers. */
export interface StatsResponse {
  readonly uptime_seconds: number;
  readonly requests: RequestStats;
  readonly backends: readonly BackendStats[];
  readonly models: readonly ModelStats[];
}

/** The spec's precision for averages: milliseconds, one decimal; 0 without requests. */
function averageMs(seconds: number, count: number): number {
  return count === 0 ? 0 : Math.round((seconds / count) * 10_000) / 10;
}

/** Computes the response; `uptimeMs` is the time since the gateway started. */
export function computeStats(metrics: NexusMetrics, uptimeMs: number): StatsResponse {
  const requests = { total: 0, success: 0 };
  const byBackend = new Map<string, { requests: number; seconds: number }>();
  const byModel = new Map<string, { requests: number; seconds: number }>();
  const add = (
    map: Map<string, { requests: number; seconds: number }>,
    key: string,
    n: number,
    s: number,
  ) => {
    const entry = map.get(key) ?? { requests: 0, seconds: 0 };
    entry.requests += n;
    entry.seconds += s;
    map.set(key, entry);
  };
  for (const tally of metrics.tallies()) {
    requests.total += tally.requests;
    requests.success += tally.success;
    add(byBackend, tally.backend, tally.requests, tally.durationSeconds);
    add(byModel, tally.model, tally.requests, tally.durationSeconds);
  }
  const registry = metrics.registry;
  const backends = registry.backends.map((backend) => {
    const entry = byBackend.get(backend.name);
    return {
      id: backend.name,
      name: backend.name,
      requests: entry?.requests ?? 0,
      average_latency_ms: averageMs(entry?.seconds ?? 0, entry?.requests ?? 0),
      pending: registry.inFlight(backend.name),
    };
  });
  const models = registry.models
    .map((name) => {
      const entry = byModel.get(name);
      return {
        name,
        requests: entry?.requests ?? 0,
        average_duration_ms: averageMs(entry?.seconds ?? 0, entry?.requests ?? 0),
      };
    })
    .sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    uptime_seconds: Math.floor(uptimeMs / 1000),
    requests: { ...requests, errors: requests.total - requests.success },
    backends,
    models,
  };
}

/** The spec's 503 body when metrics collection is not initialized. */
export const METRICS_UNAVAILABLE = {
  error: {
    message: 'Metrics collection not initialized',
    type: 'service_unavailable',
    code: 'metrics_unavailable',
  },
} as const;

/**
 * The `GET /v1/stats` handler: the response of {@link computeStats}, or the spec's 503 when `metrics` is
 * undefined (the gateway runs without them).
 */
export function createNexusStatsHandler(
  metrics: NexusMetrics | undefined,
  startedAt: number = performance.now(),
): (res: ServerResponse) => void {
  return (res) => {
    const [status, body] =
      metrics === undefined
        ? [503, METRICS_UNAVAILABLE]
        : [200, computeStats(metrics, performance.now() - startedAt)];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}
