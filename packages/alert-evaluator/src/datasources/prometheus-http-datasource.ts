/**
 * A datasource for any Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Mimir, yardstick's
 * own `/api/v1`): `POST /api/v1/query` with a per-attempt timeout, retries with exponential backoff on
 * network errors, 429 and 5xx, and basic or bearer authentication.
 */
import { AlertEvaluatorError } from '../errors.ts';
import type { Datasource, QuerySample, QueryValue } from './datasource.ts';

/** Credentials for the remote API. Never logged. */
export type RemoteAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

/** Options of {@link createPrometheusHttpDatasource}. */
export interface PrometheusHttpDatasourceOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090` (a path prefix is kept). */
  readonly url: string;
  /** Timeout of one attempt. Default 10 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  readonly retries?: number;
  /** First backoff; doubles each retry. Default 250 ms. */
  readonly backoffMs?: number;
  readonly auth?: RemoteAuth;
  readonly headers?: Readonly<Record<string, string>>;
}

class RetryableError extends Error {}

/** Prometheus encodes sample values as strings, with `NaN`, `+Inf` and `-Inf` spelled out. */
function parseValue(v: unknown): number {
  if (v === '+Inf' || v === 'Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  if (v === 'NaN') return Number.NaN;
  const n = Number(v);
  if (typeof v !== 'string' || v === '' || Number.isNaN(n))
    throw new Error(`invalid sample value ${JSON.stringify(v)}`);
  return n;
}

function decode(body: unknown): QueryValue {
  const b = body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  if (b?.status !== 'success') throw new Error(`query failed: ${b?.error ?? 'malformed response'}`);
  const data = b.data;
  if (data?.resultType === 'scalar' && Array.isArray(data.result)) {
    return { type: 'scalar', value: parseValue(data.result[1]) };
  }
  if (data?.resultType === 'vector' && Array.isArray(data.result)) {
    const samples: QuerySample[] = data.result.map(
      (r: { metric?: Record<string, string>; value?: unknown[] }) => ({
        labels: r.metric ?? {},
        value: parseValue(r.value?.[1]),
      }),
    );
    return { type: 'vector', samples };
  }
  throw new Error(`rule result is not a vector or scalar (got ${data?.resultType ?? 'nothing'})`);
}

/**
 * A datasource querying a remote Prometheus-compatible API.
 *
 * @example
 * const ds = createPrometheusHttpDatasource({ url: 'http://127.0.0.1:9090', auth: { type: 'bearer', token } });
 */
export function createPrometheusHttpDatasource(options: PrometheusHttpDatasourceOptions): Datasource {
  const endpoint = `${options.url.replace(/\/+$/, '')}/api/v1/query`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    ...options.headers,
  };
  const auth = options.auth;
  if (auth?.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  } else if (auth?.type === 'bearer') {
    headers.authorization = `Bearer ${auth.token}`;
  }

  async function attempt(expr: string, timeMs: number, signal: AbortSignal | undefined): Promise<QueryValue> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const body = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3) });
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers,
        body,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : (err as Error).message;
      throw new RetryableError(`query to ${endpoint} failed: ${reason}`, { cause: err });
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500) {
      throw new RetryableError(`query to ${endpoint} failed: HTTP ${res.status}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`query to ${endpoint} failed: HTTP ${res.status}, body is not JSON`);
    }
    return decode(json);
  }

  return {
    async query(expr, timeMs, signal) {
      let delay = backoffMs;
      for (let i = 0; ; i++) {
        try {
          return await attempt(expr, timeMs, signal);
        } catch (err) {
          if (!(err instanceof RetryableError) || i >= retries) {
            throw new AlertEvaluatorError('DATASOURCE_FAILED', (err as Error).message, { cause: err });
          }
          await new Promise((r) => setTimeout(r, delay));
          delay *= 2;
        }
      }
    },
  };
}
