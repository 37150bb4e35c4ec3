/**
 * Attribute values of the HTTP server metrics, as the OTel HTTP semantic conventions (stable since v1.23)
 * define them. Each value comes from a fixed, small set, so none of them can grow the series count.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * The methods the conventions call "known": RFC 9110's and PATCH (RFC 5789). "If the HTTP request method
 * is not known to instrumentation, it MUST set the `http.request.method` attribute to `_OTHER`."
 */
export const DEFAULT_KNOWN_METHODS: readonly string[] = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
];

/** The `http.request.method` value of every method outside the known list. */
export const OTHER_METHOD = '_OTHER';

/**
 * The `error.type` of a request whose connection closed before the response was complete. The
 * conventions ask for "a component-specific low cardinality error identifier" when no status code tells.
 */
export const ABORTED_ERROR_TYPE = 'aborted';

/**
 * The `error.type` of a request whose handler threw instead of answering, where no status code tells (hono
 * on the fetch API with an error handler that rethrows): the conventions' fallback value.
 */
export const OTHER_ERROR_TYPE = '_OTHER';

/**
 * `http.request.method`: the method as sent when it is known (method names are case-sensitive, so `get`
 * is not `GET`), `_OTHER` otherwise.
 */
export function normalizeMethod(method: string | undefined, known: ReadonlySet<string>): string {
  return method !== undefined && known.has(method) ? method : OTHER_METHOD;
}

/**
 * `network.protocol.version` from Node's `httpVersion`: `1.0`, `1.1`, and `2` for HTTP/2 (the conventions'
 * spelling; Node's compatibility API reports `2.0`).
 */
export function protocolVersion(httpVersion: string): string {
  return httpVersion === '2.0' ? '2' : httpVersion;
}

/** `url.scheme` of the connection the request came in on: `https` on TLS, `http` otherwise. */
export function requestScheme(req: IncomingMessage): string {
  return (req.socket as Partial<TLSSocket> | null)?.encrypted === true ? 'https' : 'http';
}

/**
 * `error.type` of a finished request: the status code as a string for a 5xx ("If response status code was
 * sent ... and status indicates an error", and only 5xx are errors on the server side), `aborted` when the
 * connection closed before the response was complete, nothing for a success.
 */
export function errorType(finished: boolean, statusCode: number | undefined): string | undefined {
  if (!finished) return ABORTED_ERROR_TYPE;
  return statusCode !== undefined && statusCode >= 500 ? String(statusCode) : undefined;
}
