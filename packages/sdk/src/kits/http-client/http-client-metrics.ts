/**
 * The HTTP client kit: `http.client.request.duration` (OTel HTTP semantic conventions) for every request of
 * `fetch`/undici and of `node:http`/`node:https`, observed through `diagnostics_channel` — no patching, no
 * wrapper to call. `server.address` is the id of a configured server ({@link ServerIds}), never a host or
 * an IP; requests to other servers are counted under `_OTHER`.
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `http.client.request.duration` | Histogram | `s` | `http_client_request_duration_seconds` | `http.request.method`, `server.address`, `url.scheme`, `http.response.status_code`, `error.type` |
 *
 * The duration runs from the request's creation to the end of its response body (or its error), as the
 * OTel undici and http instrumentations measure it. `error.type` is the status code for a 4xx/5xx answer,
 * or the Node/undici error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `AbortError`) when there was none.
 * A response body nobody reads never ends, so such a request is not recorded (its state is dropped with it).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { ServerIds } from './server-ids.ts';

/** The metric name of the HTTP client kit. */
export const HTTP_CLIENT_DURATION_METRIC = 'http.client.request.duration';

/** Bucket boundaries (seconds) the semantic conventions advise for `http.client.request.duration`. */
export const HTTP_CLIENT_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Options of {@link trackHttpClientRequests}. */
export interface HttpClientMetricsOptions {
  /** The servers whose requests get their id as `server.address`: id → base URL. */
  readonly servers: Readonly<Record<string, string>>;
  /** `false`: observe nothing (the switch `metrics.requests` of `startTelemetry`). Default `true`. */
  readonly enabled?: boolean;
}

/** A running HTTP client kit. */
export interface HttpClientMetrics {
  /** Stops observing (idempotent). */
  stop(): void;
}

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);
/** Node and undici error codes and error names are constants: fine as attribute values. */
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_]{1,39}$/;

interface InFlight {
  readonly started: number;
  readonly attributes: Attributes;
  status: number | undefined;
}

interface UndiciRequest {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
}

interface NodeClientRequest {
  readonly method: string;
  readonly host: string;
  readonly protocol: string;
  readonly path: string;
  readonly socket?: { readonly remotePort?: number } | null;
}

function method(name: string): string {
  const upper = name.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

function errorType(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | undefined;
  const candidate = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : '';
  return ERROR_CODE.test(candidate) ? candidate : '_OTHER';
}

/**
 * Records `http.client.request.duration` for the HTTP requests of this process on `meter` until stopped.
 * Recording never throws: Node rethrows a subscriber's exception as an uncaught one, so every listener
 * drops what it cannot read instead.
 *
 * @example
 * ```ts
 * const clients = trackHttpClientRequests(telemetry.meter('my-service'), {
 *   servers: { 'openai': 'https://api.openai.com/v1', 'vllm-local': 'http://10.0.0.7:8000/v1' },
 * });
 * // ... fetch() and http.request() as usual; clients.stop() on shutdown
 * ```
 */
export function trackHttpClientRequests(meter: Meter, options: HttpClientMetricsOptions): HttpClientMetrics {
  const servers = new ServerIds(options.servers);
  if (options.enabled === false) return { stop: () => undefined };
  const duration: Histogram = meter.createHistogram(HTTP_CLIENT_DURATION_METRIC, {
    description: 'Duration of HTTP client requests, to the end of the response body.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...HTTP_CLIENT_DURATION_BUCKETS] },
  });
  // Keyed by the request object, so a request that never ends is forgotten with it.
  const inFlight = new WeakMap<object, InFlight>();

  const begin = (request: object, attributes: Attributes): void => {
    inFlight.set(request, { started: performance.now(), attributes, status: undefined });
  };
  const end = (request: object, status: number | undefined, error: unknown, serverAddress?: string): void => {
    const state = inFlight.get(request);
    if (state === undefined) return;
    inFlight.delete(request);
    const code = status ?? state.status;
    const attributes: Attributes = { ...state.attributes };
    if (serverAddress !== undefined) attributes['server.address'] = serverAddress;
    if (code !== undefined) attributes['http.response.status_code'] = code;
    if (code !== undefined && code >= 400) attributes['error.type'] = String(code);
    else if (error !== undefined) attributes['error.type'] = errorType(error);
    duration.record((performance.now() - state.started) / 1000, attributes);
  };

  // undici (and so the global fetch): the origin and path are known when the request is created.
  const undiciCreate = (message: unknown): void => {
    const { request } = message as { request: UndiciRequest };
    const origin = new URL(request.origin);
    begin(request, {
      'http.request.method': method(request.method),
      'server.address': servers.resolve(
        origin.protocol,
        origin.hostname,
        origin.port || undefined,
        request.path,
      ),
      'url.scheme': origin.protocol.slice(0, -1),
    });
  };
  const undiciHeaders = (message: unknown): void => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const state = inFlight.get(request);
    if (state !== undefined) state.status = response.statusCode;
  };
  const undiciTrailers = (message: unknown): void =>
    end((message as { request: object }).request, undefined, undefined);
  const undiciError = (message: unknown): void => {
    const { request, error } = message as { request: object; error: unknown };
    end(request, undefined, error);
  };

  // node:http: the port is not exposed before the socket connects, so the server is resolved at the end,
  // from the connected socket or the connection error's port.
  const nodeStart = (message: unknown): void => {
    const { request } = message as { request: NodeClientRequest };
    begin(request, {
      'http.request.method': method(request.method),
      'url.scheme': request.protocol === 'https:' ? 'https' : 'http',
    });
  };
  const nodeServer = (request: NodeClientRequest, errorPort?: unknown): string => {
    const port = request.socket?.remotePort ?? (typeof errorPort === 'number' ? errorPort : undefined);
    return servers.resolve(
      request.protocol,
      request.host,
      port === undefined ? undefined : String(port),
      request.path,
    );
  };
  const nodeFinish = (message: unknown): void => {
    const { request, response } = message as {
      request: NodeClientRequest;
      response: { statusCode?: number };
    };
    end(request, response.statusCode, undefined, nodeServer(request));
  };
  const nodeError = (message: unknown): void => {
    const { request, error } = message as { request: NodeClientRequest; error: { port?: unknown } };
    end(request, undefined, error, nodeServer(request, error?.port));
  };

  const subscriptions: Array<[string, (message: unknown) => void]> = [
    ['undici:request:create', undiciCreate],
    ['undici:request:headers', undiciHeaders],
    ['undici:request:trailers', undiciTrailers],
    ['undici:request:error', undiciError],
    ['http.client.request.start', nodeStart],
    ['http.client.response.finish', nodeFinish],
    ['http.client.request.error', nodeError],
  ];
  // A message of an unexpected shape (another undici version) must not crash the process: see above.
  const guarded = subscriptions.map(([channel, listener]): [string, (message: unknown) => void] => [
    channel,
    (message) => {
      try {
        listener(message);
      } catch {
        // dropped: one request unrecorded is better than an uncaught exception in the app
      }
    },
  ]);
  for (const [channel, listener] of guarded) diagnosticsChannel.subscribe(channel, listener);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const [channel, listener] of guarded) diagnosticsChannel.unsubscribe(channel, listener);
    },
  };
}
