/**
 * The asdlc request middleware (seed T07) for a `node:http` listener: every request but `/metrics` is
 * counted in `asdlc_requests_total` and timed in `asdlc_request_duration_seconds`, by method and endpoint.
 * The endpoint is the route template the service matched (`/api/queues/{queue}`), or else the path with
 * identifier segments templated (`/jobs/123` -> `/jobs/{id}`, UUIDs and long hex or tokens too), and at most
 * `maxEndpoints` distinct values, so a scanner trying thousands of paths cannot grow the series.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { templatePath } from '@yardstick/views';
import type { ServiceMetrics } from './service-metrics.ts';

/** The endpoint recorded once `maxEndpoints` distinct ones are in use. */
export const OTHER_ENDPOINT = '/_other';
/** The placeholder of an identifier segment: the seed's FastAPI path parameter form. */
export const ID_PLACEHOLDER = '{id}';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Options of {@link withRequestMetrics}. */
export interface RequestMetricsOptions {
  readonly metrics: ServiceMetrics;
  /** The route template of a request the service serves; `undefined` for any other path. */
  readonly route?: (method: string, path: string) => string | undefined;
  /** Distinct endpoints recorded as they are; later ones become {@link OTHER_ENDPOINT}. Default 100. */
  readonly maxEndpoints?: number;
  /** Paths not measured at all; default `/metrics` (a scrape must not count itself). */
  readonly skip?: readonly string[];
}

/**
 * A path's endpoint label: its query string dropped, identifier segments replaced by `{id}`.
 *
 * @example
 * ```ts
 * normalizeEndpoint('/api/jobs/550e8400-e29b-41d4-a716-446655440000?verbose=1'); // '/api/jobs/{id}'
 * ```
 */
export function normalizeEndpoint(path: string): string {
  const templated = templatePath(path, ID_PLACEHOLDER);
  return templated === '' ? '/' : templated;
}

/** Wraps `listener` so each request it serves is recorded in `options.metrics`. */
export function withRequestMetrics(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: RequestMetricsOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const skip = new Set(options.skip ?? ['/metrics']);
  const maxEndpoints = options.maxEndpoints ?? 100;
  const endpoints = new Set<string>();
  const bounded = (endpoint: string): string => {
    if (endpoints.has(endpoint)) return endpoint;
    if (endpoints.size >= maxEndpoints) return OTHER_ENDPOINT;
    endpoints.add(endpoint);
    return endpoint;
  };
  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (skip.has(path)) {
      listener(req, res);
      return;
    }
    const start = performance.now();
    const method = KNOWN_METHODS.has(req.method ?? '') ? req.method! : '_OTHER';
    res.once('close', () => {
      const seconds = (performance.now() - start) / 1000;
      const endpoint = bounded(options.route?.(method, path) ?? normalizeEndpoint(path));
      options.metrics.recordRequest(method, endpoint, res.statusCode, seconds);
    });
    listener(req, res);
  };
}
