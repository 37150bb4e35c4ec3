/**
 * The Prometheus HTTP API (`/api/v1/query`, `query_range`, `series`, `labels`, `label/<name>/values`,
 * `query_exemplars`) over the embedded store, in Prometheus's JSON shapes, so Grafana, `yardstick export`
 * and remote evaluators use yardstick exactly like a Prometheus server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type LabelMatcher,
  type Labels,
  PromqlError,
  parseDurationMs,
  parseExpr,
  type SampleStore,
  walkExpr,
} from '@yardstick/promql';
import { statsWindowOf } from '../stats/stats-handler.ts';
import type { ExemplarStore } from '../store/exemplar-store.ts';
import { API_ERROR_STATUS, ApiError, errorBody, toApiError } from './api-error.ts';
import { formatApiFloat, formatApiTime, parseApiTime } from './api-format.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits.ts';
import { QueryWorkerPool } from './query-worker-pool.ts';

/** Prometheus refuses range queries with more points than this per series; so do we. */
const MAX_POINTS_PER_SERIES = 11_000;
/** Limit on the request body of POST queries (form-encoded). */
const MAX_BODY_BYTES = 1 << 20;
/** Most series `/api/v1/series` answers with when the client sets no smaller `limit`. */
const MAX_SERIES_RESULTS = 100_000;

/** Options of {@link createQueryApi}. */
export interface QueryApiOptions {
  readonly store: SampleStore;
  /** The exemplars `/api/v1/query_exemplars` answers from; without it the endpoint answers an empty list. */
  readonly exemplars?: ExemplarStore | undefined;
  readonly lookbackDeltaMs?: number | undefined;
  readonly limits?: Partial<QueryLimits> | undefined;
  readonly now?: (() => number) | undefined;
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

function requireParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new ApiError('bad_data', `invalid parameter "${name}": missing`);
  return value;
}

function timeParam(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === null || text === '') return fallback;
  const ms = parseApiTime(text);
  if (ms === undefined || !Number.isFinite(ms))
    throw new ApiError(
      'bad_data',
      `invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`,
    );
  return ms;
}

function durationParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : parseDurationMs(text);
  if (ms === undefined || !Number.isFinite(ms))
    throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  return ms;
}

function limitParam(params: URLSearchParams): number {
  const text = params.get('limit');
  if (text === null || text === '' || text === '0') return MAX_SERIES_RESULTS;
  if (!/^\d+$/.test(text))
    throw new ApiError('bad_data', `invalid parameter "limit": cannot parse "${text}"`);
  return Math.min(Number(text), MAX_SERIES_RESULTS);
}

function parseSelector(text: string) {
  try {
    return parseExpr(text);
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "match[]": ${error.message}`);
    throw error;
  }
}

function matchersOf(selectors: string[]): LabelMatcher[][] {
  if (selectors.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
  return selectors.map((text) => {
    const expr = parseSelector(text);
    if (expr.type !== 'vectorSelector') {
      throw new ApiError('bad_data', `invalid parameter "match[]": "${text}" is not a series selector`);
    }
    return [...expr.matchers];
  });
}

/**
 * The selectors of a query's expression, each as its matchers: Prometheus answers `query_exemplars` with the
 * exemplars of the series any vector selector of the expression selects.
 */
function selectorsOf(query: string): LabelMatcher[][] {
  let expr: ReturnType<typeof parseExpr>;
  try {
    expr = parseExpr(query);
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "query": ${error.message}`);
    throw error;
  }
  const selectors: LabelMatcher[][] = [];
  walkExpr(expr, (e) => {
    if (e.type === 'vectorSelector') selectors.push([...e.matchers]);
  });
  return selectors;
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
      const selectors = params.getAll('match[]');
      const names = new Set<string>();
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]])
        for (const n of store.labelNames(matchers)) names.add(n);
      return dataBody([...names].sort().slice(0, limitParam(params)), limits.maxResponseBytes);
    }
    const labelValues = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (labelValues) {
      const name = decodeLabelName(labelValues[1]!);
      const selectors = params.getAll('match[]');
      const values = new Set<string>();
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]])
        for (const v of store.labelValues(name, matchers)) values.add(v);
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
    if (path === '/api/v1/status/buildinfo') {
      return dataBody(
        {
          version: '0.1.0',
          revision: 'yardstick',
          branch: 'main',
          buildUser: '',
          buildDate: '',
          goVersion: '',
        },
        limits.maxResponseBytes,
      );
    }
    throw new ApiError('not_found', `unknown API endpoint ${path}`);
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
    const request = { kind: 'stats', query: '', window: parsed.window, timeMs: now() } as const;
    answer(res, pool.run({ ...request, deadline: Date.now() + limits.timeoutMs }, disconnectSignal(res)));
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

function decodeLabelName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(encoded)}`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
