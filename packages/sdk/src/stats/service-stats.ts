/**
 * `/v1/stats`: the numbers a service owner asks first — request rate, errors and latency per route, CPU,
 * memory and event-loop health, pools, dependencies, cardinality and firing alerts — as one JSON document,
 * computed with PromQL over the embedded store from what the instrumentation kits record. A part whose
 * instruments are not in use is empty (no routes, no pools), never an error.
 */
import {
  type Expr,
  evaluateInstant,
  formatDurationMs,
  type Labels,
  parseDurationMs,
  parseExpr,
  type Queryable,
} from '@yardstick/promql';
import { SCOPE_LABELS } from '../exposition/attribute-labels.ts';
import { seriesKey } from '../store/series-key.ts';
import { type StatsQueryName, statsQueries } from './stats-queries.ts';

/** One route's numbers over the window. */
export interface RouteStats {
  readonly method: string;
  readonly route: string;
  readonly requestsPerSecond: number;
  /** Share of 5xx answers; null without requests in the window. */
  readonly errorRatio: number | null;
  readonly latencyP95Seconds: number | null;
}

/** One pool (its `pool.name` and constant attributes as `labels`). */
export interface PoolStats {
  readonly labels: Labels;
  readonly idle: number | null;
  readonly used: number | null;
  readonly unhealthy: number | null;
  readonly pending: number | null;
  readonly limit: number | null;
  readonly waitP95Seconds: number | null;
  readonly timeoutsPerSecond: number | null;
}

/** One tracked dependency. */
export interface DependencyStats {
  readonly labels: Labels;
  /** Whether the last health check succeeded. */
  readonly up: boolean;
  readonly checkP95Seconds: number | null;
}

/** What `GET /v1/stats` answers. Rates and percentiles cover `window`; gauges are the latest values. */
export interface ServiceStats {
  /** Evaluation time, RFC 3339. */
  readonly time: string;
  readonly window: string;
  readonly http: {
    readonly requestsPerSecond: number | null;
    readonly errorRatio: number | null;
    readonly latencySeconds: {
      readonly p50: number | null;
      readonly p95: number | null;
      readonly p99: number | null;
    };
    /** Busiest routes first, at most {@link MAX_ROUTES}. */
    readonly routes: readonly RouteStats[];
  };
  readonly runtime: {
    /** CPU time per second: 1 is one core busy all the time. */
    readonly cpuCores: number | null;
    readonly memoryBytes: number | null;
    readonly heapUsedBytes: number | null;
    /** Share of wall time spent in garbage collection. */
    readonly gcTimeRatio: number | null;
    readonly eventLoopDelayP99Seconds: number | null;
    readonly eventLoopUtilization: number | null;
    readonly uptimeSeconds: number | null;
  };
  readonly pools: readonly PoolStats[];
  readonly dependencies: readonly DependencyStats[];
  readonly cardinality: {
    /** Series per metric as the views count them: the 20 metrics with the most, none with zero. */
    readonly series: Readonly<Record<string, number>>;
    /** Metrics that sent measurements to their overflow series within the window. */
    readonly overflowing: readonly string[];
  };
  /** Firing alerts of the in-process evaluator (`ALERTS{alertstate="firing"}` in the store). */
  readonly alerts: readonly { readonly alertname: string; readonly labels: Labels }[];
  /** The PromQL behind every number, to paste into Prometheus or Grafana. */
  readonly queries: Readonly<Record<StatsQueryName, string>>;
}

/** Routes listed in the stats; the rest are in the totals. */
export const MAX_ROUTES = 20;
const EVALUATION_TIMEOUT_MS = 5_000;
const LOOKBACK_MS = 5 * 60_000;

type Compiled = {
  readonly text: Readonly<Record<StatsQueryName, string>>;
  readonly exprs: Record<StatsQueryName, Expr>;
};
// Parsing is the costly part of a small query, and a service asks for one or two windows: keep them.
const compiled = new Map<string, Compiled>();

function compile(window: string): Compiled {
  let entry = compiled.get(window);
  if (entry === undefined) {
    const text = statsQueries(window);
    const exprs = Object.fromEntries(
      Object.entries(text).map(([name, query]) => [name, parseExpr(query)]),
    ) as Record<StatsQueryName, Expr>;
    entry = { text, exprs };
    if (compiled.size >= 16) compiled.clear();
    compiled.set(window, entry);
  }
  return entry;
}

/** A finite number, or null (absent, NaN or infinite: nothing to report). */
function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * The store labels every series with its scrape target (`job`, `instance`) as Prometheus would; the stats
 * describe this one process, so pools and dependencies are named by their own labels only.
 */
const TARGET_LABELS = ['job', 'instance'];

function withoutLabels(labels: Labels, drop: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) if (!drop.includes(name)) out[name] = value;
  return out;
}

/** Bounds of one {@link computeServiceStats} call; each query gets at most 5 s within them. */
export interface StatsLimits {
  /** Most samples each query may hold (the query API's `maxSamples`); unbounded when unset. */
  readonly maxSamples?: number | undefined;
  /** Epoch milliseconds by which every query must be done. */
  readonly deadline?: number | undefined;
}

/** Series whose first sample in the window tells how long the store has been collecting. */
const COLLECTION_SERIES = [
  { type: '=~', name: '__name__', value: 'up|http_server_request_duration_seconds_count' },
] as const;

/**
 * The range the rates are taken over: `window`, or when the store holds less than that (a process that
 * just started), the span it does hold. A rate over the full window would divide the requests of the
 * first minute by five: Prometheus's `rate` extrapolates only to the range's data, so a range that starts
 * 1 ms before the first collection gives the rate over the collections that exist.
 */
function availableWindow(store: Queryable, window: string, nowMs: number): string {
  const windowMs = parseDurationMs(window);
  if (windowMs === undefined) return window;
  let first = Number.POSITIVE_INFINITY;
  for (const series of store.select(COLLECTION_SERIES, nowMs - windowMs, nowMs))
    if (series.timestamps.length > 0) first = Math.min(first, series.timestamps[0]!);
  const held = nowMs - first + 1;
  return Number.isFinite(held) && held < windowMs ? formatDurationMs(held) : window;
}

/**
 * Computes the stats at `nowMs` over `window` (a PromQL duration such as `5m`), or over the data the store
 * holds when that is less (see `queries` for the range each number was taken over).
 *
 * @throws PromqlError when `window` is not a valid duration
 */
export function computeServiceStats(
  store: Queryable,
  window: string,
  nowMs: number = Date.now(),
  limits: StatsLimits = {},
): ServiceStats {
  const { text, exprs } = compile(availableWindow(store, window, nowMs));
  const samples = (name: StatsQueryName) => {
    try {
      const left = limits.deadline === undefined ? EVALUATION_TIMEOUT_MS : limits.deadline - Date.now();
      const { value } = evaluateInstant(store, exprs[name], nowMs, {
        lookbackDeltaMs: LOOKBACK_MS,
        timeoutMs: Math.max(1, Math.min(EVALUATION_TIMEOUT_MS, left)),
        maxSamples: limits.maxSamples,
      });
      if (value.type === 'vector') return value.samples;
      if (value.type === 'scalar') return [{ labels: {}, value: value.value }];
      return [];
    } catch {
      // One failing part (a timeout, a clash of label sets) leaves that part empty, not the whole answer.
      return [];
    }
  };
  const single = (name: StatsQueryName) => finite(samples(name)[0]?.value);

  const byRoute = new Map<
    string,
    { method: string; route: string; rps: number; errors: number; p95: number | null }
  >();
  const routeKey = (l: Labels) => `${l.http_request_method ?? ''} ${l.http_route ?? ''}`;
  for (const s of samples('routeRequestsPerSecond')) {
    byRoute.set(routeKey(s.labels), {
      method: s.labels.http_request_method ?? '',
      route: s.labels.http_route ?? '',
      rps: s.value,
      errors: 0,
      p95: null,
    });
  }
  for (const s of samples('routeErrorsPerSecond')) {
    const route = byRoute.get(routeKey(s.labels));
    if (route) route.errors = s.value;
  }
  for (const s of samples('routeLatencyP95')) {
    const route = byRoute.get(routeKey(s.labels));
    if (route) route.p95 = finite(s.value);
  }
  const routes = [...byRoute.values()]
    .sort((a, b) => b.rps - a.rps || (a.route < b.route ? -1 : 1))
    .slice(0, MAX_ROUTES)
    .map((r) => ({
      method: r.method,
      route: r.route,
      requestsPerSecond: r.rps,
      errorRatio: r.rps > 0 ? r.errors / r.rps : null,
      latencyP95Seconds: r.p95,
    }));

  const pools = new Map<
    string,
    { labels: Labels } & Record<Exclude<keyof PoolStats, 'labels'>, number | null>
  >();
  const pool = (labels: Labels) => {
    const own = withoutLabels(labels, ['pool_item_state', ...TARGET_LABELS]);
    const k = seriesKey(own);
    let entry = pools.get(k);
    if (entry === undefined) {
      entry = {
        labels: own,
        idle: null,
        used: null,
        unhealthy: null,
        pending: null,
        limit: null,
        waitP95Seconds: null,
        timeoutsPerSecond: null,
      };
      pools.set(k, entry);
    }
    return entry;
  };
  for (const s of samples('poolItems')) {
    const state = s.labels.pool_item_state;
    if (state === 'idle' || state === 'used' || state === 'unhealthy')
      pool(s.labels)[state] = finite(s.value);
  }
  for (const s of samples('poolPending')) pool(s.labels).pending = finite(s.value);
  for (const s of samples('poolLimit')) pool(s.labels).limit = finite(s.value);
  for (const s of samples('poolWaitP95')) pool(s.labels).waitP95Seconds = finite(s.value);
  for (const s of samples('poolTimeoutsPerSecond')) pool(s.labels).timeoutsPerSecond = finite(s.value);

  const checkP95 = new Map(samples('dependencyCheckP95').map((s) => [seriesKey(s.labels), finite(s.value)]));
  const dependencies = samples('dependencyUp').map((s) => ({
    labels: withoutLabels(s.labels, TARGET_LABELS),
    up: s.value === 1,
    checkP95Seconds: checkP95.get(seriesKey(s.labels)) ?? null,
  }));

  return {
    time: new Date(nowMs).toISOString(),
    window,
    http: {
      requestsPerSecond: single('httpRequestsPerSecond'),
      errorRatio: single('httpErrorRatio'),
      latencySeconds: {
        p50: single('httpLatencyP50'),
        p95: single('httpLatencyP95'),
        p99: single('httpLatencyP99'),
      },
      routes,
    },
    runtime: {
      cpuCores: single('cpuCores'),
      memoryBytes: single('memoryBytes'),
      heapUsedBytes: single('heapUsedBytes'),
      gcTimeRatio: single('gcTimeRatio'),
      eventLoopDelayP99Seconds: single('eventLoopDelayP99'),
      eventLoopUtilization: single('eventLoopUtilization'),
      uptimeSeconds: single('uptimeSeconds'),
    },
    pools: [...pools.values()].sort((a, b) => (seriesKey(a.labels) < seriesKey(b.labels) ? -1 : 1)),
    dependencies: dependencies.sort((a, b) => (seriesKey(a.labels) < seriesKey(b.labels) ? -1 : 1)),
    cardinality: {
      series: Object.fromEntries(samples('cardinalitySeries').map((s) => [s.labels.metric ?? '', s.value])),
      overflowing: samples('cardinalityOverflowing')
        .map((s) => s.labels.metric ?? '')
        .sort(),
    },
    alerts: samples('firingAlerts')
      .map((s) => ({
        alertname: s.labels.alertname ?? '',
        labels: withoutLabels(s.labels, ['__name__', 'alertname', 'alertstate', ...SCOPE_LABELS]),
      }))
      .sort((a, b) => (a.alertname + seriesKey(a.labels) < b.alertname + seriesKey(b.labels) ? -1 : 1)),
    queries: text,
  };
}
