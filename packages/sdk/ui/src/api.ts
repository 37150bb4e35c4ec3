/**
 * The browser's client of yardstick's Prometheus API (`/api/v1`), on the same origin: the page is served
 * by the telemetry server, behind the same basic auth and address rules, so requests carry its credentials.
 */

/** A series of a query result. */
export interface ResultSeries {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly values?: Array<[number, string]>;
  /** A native histogram sample of a vector, as Prometheus writes it. */
  readonly histogram?: [number, { readonly count: string; readonly sum: string }];
}

/** `data` of a query answer. */
export type QueryData =
  | { readonly resultType: 'vector'; readonly result: ResultSeries[] }
  | { readonly resultType: 'matrix'; readonly result: ResultSeries[] }
  | { readonly resultType: 'scalar'; readonly result: [number, string] }
  | { readonly resultType: 'string'; readonly result: [number, string] };

/** A failed API call, with Prometheus's error type and message. */
export class ApiCallError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.errorType = errorType;
  }
}

/** Calls `/api/v1/<path>` and returns its `data`, or throws {@link ApiCallError}. */
export async function api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
  const text = query.toString();
  const response = await fetch(`/api/v1/${path}${text ? `?${text}` : ''}`, {
    headers: { accept: 'application/json' },
  });
  let body: { status?: string; data?: T; errorType?: string; error?: string };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiCallError('http', `HTTP ${response.status} from /api/v1/${path}`);
  }
  if (body.status !== 'success') throw new ApiCallError(body.errorType ?? 'error', body.error ?? 'failed');
  return body.data as T;
}

/** An instant query at `time` (seconds). */
export function instantQuery(expr: string, time: number): Promise<QueryData> {
  return api<QueryData>('query', { query: expr, time: String(time) });
}

/** A range query (seconds). */
export function rangeQuery(expr: string, start: number, end: number, step: number): Promise<QueryData> {
  return api<QueryData>('query_range', {
    query: expr,
    start: String(start),
    end: String(end),
    step: String(step),
  });
}
