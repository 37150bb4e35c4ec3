/**
 * The Prometheus HTTP API (`/api/v1/query`, `query_range`, `series`, `labels`, `label/<name>/values`,
 * `query_exemplars`, `metadata`, `rules`, `alerts`, `format_query`, `status/*` with `status/config`) over the embedded store, in
 * Prometheus's JSON shapes, so Grafana, `yardstick export` and remote evaluators use yardstick exactly like
 * a Prometheus server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertEvaluator } from '@yardstick/alert-evaluator';
import type { LabelMatcher, Labels, SampleStore } from '@yardstick/promql';
import type { YardstickConfig } from '../config/schema.ts';
import { statsWindowOf } from '../stats/stats-handler.ts';
import type { MetricMetadata } from '../store/collection-samples.ts';
import type { ExemplarStore } from '../store/exemplar-store.ts';
import { API_ERROR_STATUS, ApiError, errorBody, toApiError } from './api-error.ts';
import { formatApiFloat, formatApiTime } from './api-format.ts';
import {
  decodeLabelName,
  durationParam,
  formatQuery,
  limitParam,
  matchersOf,
  rangeParams,
  requireParam,
  ruleFilterOf,
  selectorsOf,
  timeParam,
  tsdbLimitParam,
} from './api-params.ts';
import { configData } from './config-json.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits.ts';
import { QueryWorkerPool } from './query-worker-pool.ts';
import { alertsData, rulesData } from './rules-json.ts';
import { buildInfoData, metadataData, runtimeInfoData, tsdbStatusData } from './status-json.ts';

/** Prometheus refuses range queries with more points than this per series; so do we. */
const MAX_POINTS_PER_SERIES = 11_000;
/** Limit on the request body of POST queries (form-encoded). */
const MAX_BODY_BYTES = 1 << 20;

/** Options of {@link createQueryApi}. */
export interface QueryApiOptions {
  readonly store: SampleStore;
  /** The exemplars `/api/v1/query_exemplars` answers from; without it the endpoint answers an empty list. */
  readonly exemplars?: ExemplarStore | undefined;
  readonly lookbackDeltaMs?: number | undefined;
  readonly limits?: Partial<QueryLimits> | undefined;
  readonly now?: (() => number) | undefined;
  /** Type, help and unit of each metric (`/api/v1/metadata`); none without it. */
  readonly metadata?: (() => ReadonlyMap<string, MetricMetadata>) | undefined;
  /** The in-process alert evaluator (`/api/v1/rules`, `/api/v1/alerts`); no groups without it. */
  readonly alerting?: (() => AlertEvaluator | undefined) | undefined;
  /** The store's retention as `status/runtimeinfo` reports it (e.g. `2h`). */
  readonly retention?: string | undefined;
  /** The configuration `status/config` shows, without its secrets; empty without it. */
  readonly config?: YardstickConfig | undefined;
  /**
   * Brings the store up to date before `/v1/stats` is computed (a collection), so the first answers after
   * start, when the store holds few collections, already count recent requests.
   */
  readonly refresh?: (() => Promise<void>) | undefined;
}

/** The `/api/v1/*` request handler, the `/v1/stats` handler on the same workers, and `close()` to stop them. */
export interface QueryApi {
  (req: IncomingMessage, res: ServerResponse): void;
  /** `GET /v1/stats` ({@link computeServiceStats}) evaluated on the query workers, under the same limits. */
  readonly stats: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

function sendBody(res: ServerResponse, status: number, body: string | Uint8Array): void {
  // The client may be gone, or an earlier failure may have answered already: never write twice.
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readParams(req: IncomingMessage): Promise<URLSearchParams> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const params = url.searchParams;
  if (req.method !== 'POST') return params;
  let size = 0;
  const parts: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError('bad_data', `request body larger than ${MAX_BODY_BYTES} bytes`);
    parts.push(chunk);
  }
  for (const [key, value] of new URLSearchParams(Buffer.concat(parts).toString('utf8')))
    params.append(key, value);
  return params;
}

/** A metadata answer as a body, held to the same byte cap as query results. */
function dataBody(data: unknown, maxBytes: number): string {
  const body = JSON.stringify({ status: 'success', data });
  if (body.length > maxBytes) {
    throw new ApiError(
      'execution',
      `the response would be larger than query.maxResponseBytes (${maxBytes} bytes): narrow match[] or set limit`,
    );
  }
  return body;
}

/**
 * Creates the `/api/v1/*` handler. Mount it on the telemetry server with the prefix `/api/v1/*`; it applies
 * no access control of its own (the server's basic auth and CIDR rules do).
 *
 * Queries (`query`, `query_range`) run on worker threads under {@link QueryLimits}: the host's event loop
 * only answers the workers' store reads, a bounded batch at a time, so `/metrics` and the host's own
 * requests keep answering while a heavy query runs. A query stops at its deadline, when its client
 * disconnects, or when it holds more than `maxSamples` samples; errors keep Prometheus's JSON envelope
 * and status codes.
 */
export function createQueryApi(options: QueryApiOptions): QueryApi {
  const now = options.now ?? Date.now;
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...definedOnly(options.limits ?? {}) };
  const pool = new QueryWorkerPool({
    store: options.store,
    maxConcurrent: limits.maxConcurrent,
    maxSamples: limits.maxSamples,
    maxResponseBytes: limits.maxResponseBytes,
    workerHeapBytes: limits.workerHeapBytes,
    lookbackDeltaMs: options.lookbackDeltaMs,
  });

  function deadlineOf(params: URLSearchParams, arrived: number): number {
    const asked = durationParam(params, 'timeout');
    // The client may shorten the server's timeout, never extend it (Prometheus caps it the same way).
    const timeoutMs =
      asked === undefined || asked <= 0 ? limits.timeoutMs : Math.min(asked, limits.timeoutMs);
    return arrived + timeoutMs;
  }

  async function handle(
    path: string,
    params: URLSearchParams,
    arrived: number,
    signal: AbortSignal,
  ): Promise<string | Uint8Array> {
    const { store } = options;
    if (path === '/api/v1/query') {
      const query = requireParam(params, 'query');
      const timeMs = timeParam(params, 'time', now());
      return pool.run({ kind: 'instant', query, timeMs, deadline: deadlineOf(params, arrived) }, signal);
    }
    if (path === '/api/v1/query_range') {
      const query = requireParam(params, 'query');
      const start = timeParam(params, 'start', Number.NaN);
      const end = timeParam(params, 'end', Number.NaN);
      if (Number.isNaN(start)) throw new ApiError('bad_data', 'invalid parameter "start": missing');
      if (Number.isNaN(end)) throw new ApiError('bad_data', 'invalid parameter "end": missing');
      if (end < start)
        throw new ApiError(
          'bad_data',
          'invalid parameter "end": end timestamp must not be before start time',
        );
      const step = durationParam(params, 'step');
      if (step === undefined) throw new ApiError('bad_data', 'invalid parameter "step": missing');
      if (step <= 0) {
        throw new ApiError(
          'bad_data',
          'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      }
      if ((end - start) / step > MAX_POINTS_PER_SERIES) {
        throw new ApiError(
          'bad_data',
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      }
      const deadline = deadlineOf(params, arrived);
      return pool.run({ kind: 'range', query, startMs: start, endMs: end, stepMs: step, deadline }, signal);
    }
    if (path === '/api/v1/series') {
      const start = timeParam(params, 'start', Number.NEGATIVE_INFINITY);
      const end = timeParam(params, 'end', Number.POSITIVE_INFINITY);
      const limit = limitParam(params);
      const seen = new Map<string, Labels>();
      for (const matchers of matchersOf(params.getAll('match[]'))) {
        for (const labels of store.series(matchers, start, end)) {
          seen.set(JSON.stringify(Object.entries(labels).sort()), labels);
          if (seen.size >= limit) break;
        }
        if (seen.size >= limit) break;
      }
      return dataBody([...seen.values()], limits.maxResponseBytes);
    }
    if (path === '/api/v1/labels') {
      const names = new Set<string>();
      const range = rangeParams(params);
      const selectors = params.getAll('match[]');
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]]) {
        if (range === undefined) for (const n of store.labelNames(matchers)) names.add(n);
        else for (const labels of seriesIn(store, matchers, range)) for (const n in labels) names.add(n);
      }
      return dataBody([...names].sort().slice(0, limitParam(params)), limits.maxResponseBytes);
    }
    const labelValues = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (labelValues) {
      const name = decodeLabelName(labelValues[1]!);
      const values = new Set<string>();
      const range = rangeParams(params);
      const selectors = params.getAll('match[]');
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]]) {
        if (range === undefined) for (const v of store.labelValues(name, matchers)) values.add(v);
        else
          for (const labels of seriesIn(store, matchers, range)) {
            const value = labels[name];
            if (value !== undefined) values.add(value);
          }
      }
      return dataBody([...values].sort().slice(0, limitParam(params)), limits.maxResponseBytes);
    }
    if (path === '/api/v1/query_exemplars') {
      const query = requireParam(params, 'query');
      const start = timeParam(params, 'start', Number.NEGATIVE_INFINITY);
      const end = timeParam(params, 'end', Number.POSITIVE_INFINITY);
      if (end < start)
        throw new ApiError(
          'bad_data',
          'invalid parameter "end": end timestamp must not be before start time',
        );
      const found = options.exemplars?.select(selectorsOf(query), start, end) ?? [];
      return dataBody(
        found.map(({ seriesLabels, exemplars }) => ({
          seriesLabels,
          exemplars: exemplars.map((e) => ({
            labels: e.traceId === undefined ? {} : { trace_id: e.traceId, span_id: e.spanId },
            value: formatApiFloat(e.value),
            timestamp: formatApiTime(e.timeMs),
          })),
        })),
        limits.maxResponseBytes,
      );
    }
    const status = statusData(path, params);
    if (status !== undefined) return dataBody(status, limits.maxResponseBytes);
    throw new ApiError('not_found', `unknown API endpoint ${path}`);
  }

  /** The data of the endpoints that read state rather than run queries, or undefined for another path. */
  function statusData(path: string, params: URLSearchParams): unknown {
    switch (path) {
      case '/api/v1/status/buildinfo':
        return buildInfoData();
      case '/api/v1/status/runtimeinfo':
        return runtimeInfoData(options.retention ?? '');
      case '/api/v1/status/config':
        return configData(options.config);
      case '/api/v1/status/tsdb':
        return tsdbStatusData(options.store, tsdbLimitParam(params));
      case '/api/v1/metadata':
        return metadataData(options.metadata?.() ?? new Map(), params.get('metric'), limitParam(params));
      case '/api/v1/rules':
        return rulesData(options.alerting?.(), ruleFilterOf(params));
      case '/api/v1/alerts':
        return alertsData(options.alerting?.());
      case '/api/v1/format_query':
        return formatQuery(requireParam(params, 'query'));
      default:
        return undefined;
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const arrived = Date.now();
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const signal = disconnectSignal(res);
    answer(
      res,
      readParams(req).then((params) => handle(path, params, arrived, signal)),
    );
  };
  const stats = (req: IncomingMessage, res: ServerResponse): void => {
    const parsed = statsWindowOf(req.url);
    if ('error' in parsed) {
      sendBody(res, 400, JSON.stringify({ status: 'error', error: parsed.error }));
      return;
    }
    const deadline = Date.now() + limits.timeoutMs;
    const signal = disconnectSignal(res);
    const refreshed = options.refresh?.() ?? Promise.resolve();
    answer(
      res,
      refreshed.then(() =>
        pool.run({ kind: 'stats', query: '', window: parsed.window, timeMs: now(), deadline }, signal),
      ),
    );
  };
  return Object.assign(handler, { stats, close: () => pool.close() });
}

/** Aborts when the client disconnects before its answer is written (the query's worker is then stopped). */
function disconnectSignal(res: ServerResponse): AbortSignal {
  const disconnect = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) disconnect.abort();
  });
  return disconnect.signal;
}

/** Writes what `body` settles to: the body with 200, or the error in Prometheus's envelope. */
function answer(res: ServerResponse, body: Promise<string | Uint8Array>): void {
  body
    .then(
      (body) => sendBody(res, 200, body),
      (error: unknown) => {
        const apiError = toApiError(error);
        sendBody(res, API_ERROR_STATUS[apiError.type], errorBody(apiError));
      },
    )
    .catch(() => {
      // Writing the answer failed (the socket broke mid-write): nothing is left to tell the client.
      res.destroy();
    });
}

/** Label sets of the series with a sample in the range (Prometheus answers labels over the range's blocks). */
function seriesIn(
  store: SampleStore,
  matchers: readonly LabelMatcher[],
  range: { start: number; end: number },
): Labels[] {
  // With no match[], every series: a matcher every series satisfies.
  const all: readonly LabelMatcher[] = [{ type: '=~', name: '__name__', value: '.+' }];
  return store.series(matchers.length ? matchers : all, range.start, range.end);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
