/**
 * The orchestrator's VictoriaMetrics query proxy (seed T19/T20): the asdlc dashboard asks the orchestrator,
 * which asks VictoriaMetrics (`VICTORIAMETRICS_URL`), so browsers need neither VictoriaMetrics's address nor
 * its credentials.
 *
 * - `GET /api/metrics/query_range?query=&start=&end=&step=`: VictoriaMetrics's `/api/v1/query_range` answer,
 *   byte for byte, after the parameters are checked here.
 * - `GET /api/metrics/services`: the services reporting `asdlc_service_info`, from an instant query.
 * - `GET /api/metrics/health`: whether VictoriaMetrics answers its `/health`.
 *
 * Errors are JSON in the Prometheus API's form (`{"status":"error","errorType":...,"error":...}`): 400 for
 * bad parameters (ours or VictoriaMetrics's verdict on the query), 502 when VictoriaMetrics is unreachable
 * or answers with something that is no answer, 504 past the timeout (30 s unless configured), 503 when
 * `maxConcurrent` upstream requests are already running. The upstream URL's credentials become an
 * Authorization header and never appear in an answer or a log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@yardstick/sdk';
import { OrchestratorError } from '../errors.ts';

/** Options of {@link createVictoriaProxy}. */
export interface VictoriaProxyOptions {
  /** VictoriaMetrics's base URL (`http://victoriametrics:8428`, credentials allowed). */
  readonly url: string;
  /** How long one upstream request may take (ms); default 30 000. */
  readonly timeoutMs?: number;
  /** Upstream requests running at once; more get 503. Default 8. */
  readonly maxConcurrent?: number;
  /** The largest upstream answer passed on (bytes); a larger one is a 502. Default 16 MiB. */
  readonly maxResponseBytes?: number;
  readonly logger: Logger;
}

/** The proxy's routes, mounted by the orchestrator's API. */
export interface VictoriaProxy {
  /** The upstream's URL without credentials, for messages. */
  readonly upstream: string;
  /** Serves `path` (one of {@link PROXY_ROUTES}); the caller has checked the method. */
  handle(path: string, req: IncomingMessage, res: ServerResponse): void;
}

/** The paths the proxy serves. */
export const PROXY_ROUTES = ['/api/metrics/query_range', '/api/metrics/services', '/api/metrics/health'];

/** The Prometheus API's limit on points per series of a range query. */
export const MAX_POINTS = 11_000;
const MAX_QUERY_LENGTH = 4_096;
const DEFAULT_STEP = '15s';
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

type ErrorType = 'bad_data' | 'unavailable' | 'upstream_unreachable' | 'upstream_error' | 'timeout';

/** A failure answered with a JSON error. */
class ProxyFailure extends Error {
  readonly status: number;
  readonly errorType: ErrorType;
  constructor(status: number, errorType: ErrorType, message: string) {
    super(message);
    this.status = status;
    this.errorType = errorType;
  }
}

/**
 * Creates the proxy.
 *
 * @throws OrchestratorError `INVALID_OPTIONS` when `url` is not an http(s) URL
 */
export function createVictoriaProxy(options: VictoriaProxyOptions): VictoriaProxy {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new OrchestratorError('INVALID_OPTIONS', 'VICTORIAMETRICS_URL is not a URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new OrchestratorError('INVALID_OPTIONS', 'VICTORIAMETRICS_URL must start with http:// or https://');
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (base.username !== '') {
    const user = decodeURIComponent(base.username);
    const password = decodeURIComponent(base.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  base.username = '';
  base.password = '';
  const upstream = base.href.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxConcurrent = options.maxConcurrent ?? 8;
  const maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  let inFlight = 0;

  /** GETs `path` upstream; resolves with the status and the body, within the limits. */
  async function get(path: string, params?: URLSearchParams): Promise<{ status: number; body: Buffer }> {
    if (inFlight >= maxConcurrent) {
      throw new ProxyFailure(503, 'unavailable', `${maxConcurrent} queries are already running; retry later`);
    }
    inFlight++;
    const target = `${upstream}${path}${params ? `?${params}` : ''}`;
    try {
      const response = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, body: await readLimited(response, maxBytes) };
    } catch (error) {
      if (error instanceof ProxyFailure) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new ProxyFailure(
          504,
          'timeout',
          `VictoriaMetrics at ${upstream} did not answer within ${timeoutMs} ms`,
        );
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      options.logger.warn({ upstream, err: cause || String(error) }, 'VictoriaMetrics is unreachable');
      throw new ProxyFailure(
        502,
        'upstream_unreachable',
        `VictoriaMetrics at ${upstream} is unreachable${cause ? `: ${cause}` : ''}`,
      );
    } finally {
      inFlight--;
    }
  }

  /** Parses an upstream Prometheus-API answer; a 4xx error is the query's fault (400), else 502. */
  function apiAnswer(status: number, body: Buffer): { status: string; data?: unknown; error?: string } {
    let parsed: { status?: unknown; data?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      throw new ProxyFailure(
        502,
        'upstream_error',
        `VictoriaMetrics answered ${status} with a body that is no JSON`,
      );
    }
    if (status >= 400 && status < 500 && typeof parsed.error === 'string') {
      throw new ProxyFailure(
        400,
        'bad_data',
        `VictoriaMetrics rejected the query: ${parsed.error.slice(0, 1_000)}`,
      );
    }
    if (status !== 200 || parsed.status !== 'success') {
      const reason = typeof parsed.error === 'string' ? `: ${parsed.error.slice(0, 1_000)}` : '';
      throw new ProxyFailure(502, 'upstream_error', `VictoriaMetrics answered ${status}${reason}`);
    }
    return parsed as { status: string; data?: unknown };
  }

  const routes: Record<string, (req: IncomingMessage) => Promise<{ body: string | Buffer }>> = {
    '/api/metrics/query_range': async (req) => {
      const params = rangeParams(new URL(req.url ?? '/', 'http://localhost').searchParams);
      const { status, body } = await get('/api/v1/query_range', params);
      apiAnswer(status, body);
      return { body };
    },
    '/api/metrics/services': async () => {
      const { status, body } = await get(
        '/api/v1/query',
        new URLSearchParams({ query: 'asdlc_service_info' }),
      );
      const answer = apiAnswer(status, body) as { data?: { result?: { metric: Record<string, string> }[] } };
      const services = (answer.data?.result ?? [])
        .map(({ metric }) => ({
          service: metric.service ?? '',
          version: metric.version ?? '',
          job: metric.job ?? '',
          instance: metric.instance ?? '',
        }))
        .sort((a, b) => `${a.service}\u0000${a.instance}`.localeCompare(`${b.service}\u0000${b.instance}`));
      return { body: JSON.stringify({ status: 'success', data: { services } }) };
    },
    '/api/metrics/health': async () => {
      const start = performance.now();
      const { status } = await get('/health');
      if (status !== 200)
        throw new ProxyFailure(502, 'upstream_error', `VictoriaMetrics /health answered ${status}`);
      const latencyMs = Math.round((performance.now() - start) * 10) / 10;
      return {
        body: JSON.stringify({
          status: 'success',
          data: { victoriametrics: 'up', upstream, latency_ms: latencyMs },
        }),
      };
    },
  };

  return {
    upstream,
    handle(path, req, res) {
      const route = routes[path];
      if (route === undefined) {
        sendError(res, new ProxyFailure(404, 'bad_data', `no such endpoint ${path}`));
        return;
      }
      route(req).then(
        ({ body }) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        },
        (error: unknown) => {
          if (error instanceof ProxyFailure) sendError(res, error);
          else {
            options.logger.error({ err: String(error) }, 'metrics proxy failed');
            sendError(res, new ProxyFailure(502, 'upstream_error', 'the query could not be proxied'));
          }
        },
      );
    },
  };
}

function sendError(res: ServerResponse, failure: ProxyFailure): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (failure.status === 503) headers['retry-after'] = '1';
  res
    .writeHead(failure.status, headers)
    .end(JSON.stringify({ status: 'error', errorType: failure.errorType, error: failure.message }));
}

/** Reads a response body, giving up (502) past `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new ProxyFailure(
        502,
        'upstream_error',
        `VictoriaMetrics's answer is larger than ${maxBytes} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Checks `query`, `start`, `end` and `step` and returns what is forwarded: the values as given (so the answer
 * is VictoriaMetrics's own for them), `step` defaulting to 15s.
 */
export function rangeParams(search: URLSearchParams): URLSearchParams {
  const one = (name: string): string | undefined => {
    const values = search.getAll(name);
    if (values.length > 1) throw new ProxyFailure(400, 'bad_data', `${name} is given ${values.length} times`);
    return values[0];
  };
  const query = one('query');
  if (query === undefined || query.trim() === '')
    throw new ProxyFailure(400, 'bad_data', 'query is required');
  if (query.length > MAX_QUERY_LENGTH) {
    throw new ProxyFailure(400, 'bad_data', `query is longer than ${MAX_QUERY_LENGTH} characters`);
  }
  const startText = one('start');
  const endText = one('end');
  if (startText === undefined || endText === undefined) {
    throw new ProxyFailure(400, 'bad_data', 'start and end are required (unix seconds or RFC 3339)');
  }
  const start = parseTime('start', startText);
  const end = parseTime('end', endText);
  if (end < start) throw new ProxyFailure(400, 'bad_data', 'end must not be before start');
  const stepText = one('step') ?? DEFAULT_STEP;
  const step = parseStep(stepText);
  const points = Math.floor((end - start) / step) + 1;
  if (points > MAX_POINTS) {
    throw new ProxyFailure(
      400,
      'bad_data',
      `the range asks for ${points} points per series; at most ${MAX_POINTS}: use a larger step or a shorter range`,
    );
  }
  return new URLSearchParams({ query, start: startText, end: endText, step: stepText });
}

/** Unix seconds (fractions allowed) or an RFC 3339 time, as seconds. */
function parseTime(name: string, text: string): number {
  const seconds = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds) || !/^\d/.test(text)) {
    throw new ProxyFailure(
      400,
      'bad_data',
      `${name} must be unix seconds or an RFC 3339 time, not ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return seconds;
}

/** A step as seconds (`15`, `15s`, `1m`, `500ms`); positive. */
function parseStep(text: string): number {
  const match = DURATION.exec(text);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']! : Number.NaN;
  if (!(seconds > 0)) {
    throw new ProxyFailure(
      400,
      'bad_data',
      `step must be a positive duration (15s, 1m) or seconds, not ${JSON.stringify(text.slice(0, 64))}`,
    );
  }
  return seconds;
}
