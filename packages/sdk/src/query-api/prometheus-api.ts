/**
 * The Prometheus HTTP API (`/api/v1/query`, `query_range`, `series`, `labels`, `label/<name>/values`) over
 * the embedded store, in Prometheus's JSON shapes, so Grafana, `yardstick export` and remote evaluators use
 * yardstick exactly like a Prometheus server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  evaluateInstant,
  evaluateRange,
  type InstantValue,
  type LabelMatcher,
  type Labels,
  type MatrixSeries,
  PromqlError,
  parseDurationMs,
  parseExpr,
  type SampleStore,
} from '@yardstick/promql';
import { formatApiFloat, formatApiTime, parseApiTime } from './api-format.ts';

/** Prometheus refuses range queries with more points than this per series; so do we. */
const MAX_POINTS_PER_SERIES = 11_000;
/** Limit on the request body of POST queries (form-encoded). */
const MAX_BODY_BYTES = 1 << 20;

/** Options of {@link createQueryApi}. */
export interface QueryApiOptions {
  readonly store: SampleStore;
  readonly lookbackDeltaMs?: number | undefined;
  /** Per-query evaluation timeout (default 2 minutes, as Prometheus). */
  readonly timeoutMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'internal' | 'not_found';
const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  internal: 500,
  not_found: 404,
};

class ApiError extends Error {
  readonly type: ErrorType;
  constructor(type: ErrorType, message: string) {
    super(message);
    this.type = type;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
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
  if (ms === undefined)
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
  if (ms === undefined)
    throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  return ms;
}

function parseQuery(text: string) {
  try {
    return parseExpr(text);
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "query": ${error.message}`);
    throw error;
  }
}

function matchersOf(selectors: string[]): LabelMatcher[][] {
  if (selectors.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
  return selectors.map((text) => {
    const expr = parseQuery(text);
    if (expr.type !== 'vectorSelector') {
      throw new ApiError('bad_data', `invalid parameter "match[]": "${text}" is not a series selector`);
    }
    return [...expr.matchers];
  });
}

const plainLabels = (labels: Labels): Record<string, string> => ({ ...labels });

function matrixJson(series: readonly MatrixSeries[]) {
  return series.map((s) => {
    const values: Array<[number, string]> = new Array(s.timestamps.length);
    for (let i = 0; i < s.timestamps.length; i++) {
      values[i] = [formatApiTime(s.timestamps[i]!), formatApiFloat(s.values[i]!)];
    }
    return { metric: plainLabels(s.labels), values };
  });
}

function instantJson(value: InstantValue) {
  switch (value.type) {
    case 'scalar':
      return {
        resultType: 'scalar',
        result: [formatApiTime(value.timestampMs), formatApiFloat(value.value)],
      };
    case 'string':
      return { resultType: 'string', result: [formatApiTime(value.timestampMs), value.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) => ({
          metric: plainLabels(s.labels),
          value: [formatApiTime(value.timestampMs), formatApiFloat(s.value)],
        })),
      };
    case 'matrix':
      return { resultType: 'matrix', result: matrixJson(value.series) };
  }
}

function evaluationError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof PromqlError) {
    if (error.code === 'PROMQL_TIMEOUT') return new ApiError('timeout', error.message);
    if (error.code === 'PROMQL_PARSE' || error.code === 'PROMQL_TYPE')
      return new ApiError('bad_data', error.message);
    return new ApiError('execution', error.message);
  }
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}

/**
 * Creates the `/api/v1/*` handler. Mount it on the telemetry server with the prefix `/api/v1/*`; it applies
 * no access control of its own (the server's basic auth and CIDR rules do).
 */
export function createQueryApi(
  options: QueryApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = options.now ?? Date.now;
  const evalOptions = { lookbackDeltaMs: options.lookbackDeltaMs, timeoutMs: options.timeoutMs ?? 120_000 };

  async function handle(path: string, params: URLSearchParams): Promise<unknown> {
    const { store } = options;
    if (path === '/api/v1/query') {
      const expr = parseQuery(requireParam(params, 'query'));
      const time = timeParam(params, 'time', now());
      const result = evaluateInstant(store, expr, time, {
        ...evalOptions,
        timeoutMs: durationParam(params, 'timeout') ?? evalOptions.timeoutMs,
      });
      return { data: instantJson(result.value), warnings: result.warnings, infos: result.infos };
    }
    if (path === '/api/v1/query_range') {
      const expr = parseQuery(requireParam(params, 'query'));
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
      const result = evaluateRange(store, expr, start, end, step, {
        ...evalOptions,
        timeoutMs: durationParam(params, 'timeout') ?? evalOptions.timeoutMs,
      });
      return {
        data: { resultType: 'matrix', result: matrixJson(result.value.series) },
        warnings: result.warnings,
        infos: result.infos,
      };
    }
    if (path === '/api/v1/series') {
      const start = timeParam(params, 'start', Number.NEGATIVE_INFINITY);
      const end = timeParam(params, 'end', Number.POSITIVE_INFINITY);
      const seen = new Map<string, Labels>();
      for (const matchers of matchersOf(params.getAll('match[]'))) {
        for (const labels of store.series(matchers, start, end))
          seen.set(JSON.stringify(Object.entries(labels).sort()), labels);
      }
      return { data: [...seen.values()].map(plainLabels) };
    }
    if (path === '/api/v1/labels') {
      const selectors = params.getAll('match[]');
      const names = new Set<string>();
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]])
        for (const n of store.labelNames(matchers)) names.add(n);
      return { data: [...names].sort() };
    }
    const labelValues = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (labelValues) {
      const name = decodeURIComponent(labelValues[1]!);
      const selectors = params.getAll('match[]');
      const values = new Set<string>();
      for (const matchers of selectors.length ? matchersOf(selectors) : [[]])
        for (const v of store.labelValues(name, matchers)) values.add(v);
      return { data: [...values].sort() };
    }
    if (path === '/api/v1/status/buildinfo') {
      return {
        data: {
          version: '0.1.0',
          revision: 'yardstick',
          branch: 'main',
          buildUser: '',
          buildDate: '',
          goVersion: '',
        },
      };
    }
    throw new ApiError('not_found', `unknown API endpoint ${path}`);
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    readParams(req)
      .then((params) => handle(path, params))
      .then((body) => send(res, 200, { status: 'success', ...(body as object) }))
      .catch((error: unknown) => {
        const apiError = evaluationError(error);
        send(res, STATUS[apiError.type], {
          status: 'error',
          errorType: apiError.type,
          error: apiError.message,
        });
      });
  };
}
