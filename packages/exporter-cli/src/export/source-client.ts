/**
 * A small client for the Prometheus HTTP API (`/api/v1/query_range`, `/api/v1/series`), which real Prometheus,
 * VictoriaMetrics, Mimir and yardstick's embedded `/api/v1` all serve. Retries 5xx answers and network errors
 * with exponential backoff; 4xx answers fail at once with the server's own error text.
 */
import { CliError } from '../errors.ts';
import { type MatrixSeries, parseQueryRangeBody } from './query-range-parser.ts';
import { formatTime } from './time.ts';

/** Credentials for the source; never logged or written to the audit record. */
export type SourceAuth =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** How to reach the source. */
export interface SourceClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090` (a path prefix such as `/prometheus` is kept). */
  readonly baseUrl: string;
  readonly auth?: SourceAuth | undefined;
  /** Attempts after the first for 5xx answers and network errors (default 4). */
  readonly retries?: number;
  /** Delay before the first retry, doubled each time (default 200 ms). */
  readonly retryDelayMs?: number;
  /** Aborts every request: total timeout, SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** One series of a matrix in an instant-query answer (a range selector such as `up[5m]`), as Prometheus sends it. */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: ReadonlyArray<readonly [number, string]>;
}

interface ApiEnvelope<T> {
  status?: unknown;
  data?: T | undefined;
  errorType?: unknown;
  error?: unknown;
}

/** Removes `user:pass@` from a URL so it can be shown, logged and audited. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

function authHeader(auth: SourceAuth | undefined, url: URL): string | undefined {
  if (auth?.kind === 'bearer') return `Bearer ${auth.token}`;
  if (auth?.kind === 'basic')
    return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A Prometheus-API client bound to one source; see {@link SourceClientOptions}. */
export interface SourceClient {
  /** `/api/v1/query_range` for one chunk; `start`/`end`/`step` in ms. Series come in columns. */
  queryRange(query: string, start: number, end: number, step: number): Promise<readonly MatrixSeries[]>;
  /** `/api/v1/series` for one selector over `[start, end]` ms. */
  series(selector: string, start: number, end: number): Promise<Record<string, string>[]>;
  /** `/api/v1/query` at `time` ms: the answer's `data` as the source sent it. */
  queryInstant(query: string, time: number): Promise<InstantQueryData>;
}

/** The `data` of a `/api/v1/query` answer. */
export type InstantQueryData =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] };

/** Creates a {@link SourceClient}. */
export function createSourceClient(options: SourceClientOptions): SourceClient {
  const base = new URL(options.baseUrl);
  const authorization = authHeader(options.auth, base);
  base.username = '';
  base.password = '';
  const prefix = base.pathname.replace(/\/$/, '');
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const shown = redactUrl(options.baseUrl);

  async function post<T>(
    path: string,
    form: URLSearchParams,
    parse: (text: string) => ApiEnvelope<T> = JSON.parse,
  ): Promise<T> {
    const url = new URL(base);
    url.pathname = `${prefix}${path}`;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (authorization) headers.authorization = authorization;
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1), options.signal);
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', body: form, headers, signal: options.signal });
      } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        // fetch wraps the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
        const cause = (error as Error).cause;
        lastError = `cannot reach ${shown}${path}: ${cause instanceof Error ? cause.message : (error as Error).message}`;
        continue;
      }
      if (response.status >= 500) {
        lastError = `${shown}${path} answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
        continue;
      }
      let body: ApiEnvelope<T>;
      try {
        body = parse(await response.text());
      } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        throw new CliError(
          'SOURCE_RESPONSE',
          `${shown}${path} answered ${response.status} with invalid JSON`,
          {
            cause: error,
          },
        );
      }
      if (body.status !== 'success' || body.data === undefined) {
        const reason = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
        throw new CliError('SOURCE_RESPONSE', `${shown}${path} rejected the request: ${reason}`);
      }
      return body.data;
    }
    throw new CliError('SOURCE_REQUEST', `${lastError} (gave up after ${retries + 1} attempts)`);
  }

  return {
    async queryRange(query, start, end, step) {
      const form = new URLSearchParams({
        query,
        start: (start / 1000).toString(),
        end: (end / 1000).toString(),
        step: (step / 1000).toString(),
      });
      // Speed: the dedicated parser reads points into columns without JSON.parse's per-point arrays.
      const data = await post('/api/v1/query_range', form, parseQueryRangeBody);
      if (data.resultType !== 'matrix') {
        throw new CliError(
          'SOURCE_RESPONSE',
          `query_range for ${JSON.stringify(query)} at ${formatTime(start)} returned ${String(data.resultType)}, not a matrix`,
        );
      }
      return data.result;
    },
    async series(selector, start, end) {
      const form = new URLSearchParams({
        'match[]': selector,
        start: (start / 1000).toString(),
        end: (end / 1000).toString(),
      });
      return post<Record<string, string>[]>('/api/v1/series', form);
    },
    async queryInstant(query, time) {
      const form = new URLSearchParams({ query, time: (time / 1000).toString() });
      return post<InstantQueryData>('/api/v1/query', form);
    },
  };
}
