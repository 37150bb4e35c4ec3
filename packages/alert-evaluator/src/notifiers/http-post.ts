/**
 * One JSON POST with a timeout, reported as a result (notifiers never throw), classified for the retry
 * queue: network errors, timeouts, 5xx and 429 may pass on a later attempt; any other answer is final.
 */

/** The outcome of one POST: delivered, or why not and whether trying again can help. */
export type PostOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The URL and what happened, e.g. `http://127.0.0.1:9093/api/v2/alerts: HTTP 404 Not Found`. */
      readonly error: string;
      /** A network error, timeout, 5xx or 429; any other answer refuses the payload itself. */
      readonly retryable: boolean;
      /** The receiver's `Retry-After`, in ms from now, when it sent one with a retryable answer. */
      readonly retryAfterMs?: number;
    };

/**
 * Reads a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent
 * or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with the day name; Date.parse alone would also take `-5` as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** `fetch failed` says nothing; its cause (`connect ECONNREFUSED 127.0.0.1:9093`) says what happened. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error && cause.message !== '') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** POSTs `json` (already serialized) to `url`; a 2xx answer is delivered. */
export async function postJson(
  url: string,
  json: string,
  timeoutMs: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<PostOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: json,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    if (res.ok) return { ok: true };
    const retryable = res.status >= 500 || res.status === 429;
    const error = `${url}: HTTP ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`}`;
    const retryAfterMs = retryable ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : undefined;
    return { ok: false, error, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  } catch (err) {
    return { ok: false, error: `${url}: ${describeFailure(err, timeoutMs)}`, retryable: true };
  }
}
