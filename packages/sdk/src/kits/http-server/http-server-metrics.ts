/**
 * The HTTP server kit: `http.server.request.duration` and `http.server.active_requests` with the OTel HTTP
 * semantic-convention attributes, from a connect/express middleware, a wrapper for a `node:http` request
 * listener, or a fastify plugin.
 *
 * - `http.server.request.duration`: histogram in `s` with the advised buckets (0.005 s to 10 s), attributes
 *   `http.request.method`, `http.response.status_code` (when one was sent), `http.route`, `url.scheme`,
 *   `network.protocol.version` and `error.type` (a 5xx status as a string, or `aborted` when the connection
 *   closed before the response was complete: the kit reports no other error types). On `/metrics`:
 *   `http_server_request_duration_seconds_bucket|sum|count`.
 * - `http.server.active_requests`: up-down counter in `{request}`, attributes `http.request.method` and
 *   `url.scheme`. On `/metrics`: `http_server_active_requests`.
 *
 * Never recorded: client addresses, user agents, headers, credentials, query strings or full URLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { trackExpressRoutes } from './express-route.ts';
import { DEFAULT_KNOWN_METHODS } from './request-attributes.ts';
import { RequestRecorder } from './request-recorder.ts';

/** Options of {@link createHttpServerMetrics}. */
export interface HttpServerMetricsOptions {
  /**
   * `false` creates no instruments and makes every entry point a pass-through (how the `metrics.requests`
   * switch turns the kit off). Default `true`.
   */
  readonly enabled?: boolean;
  /**
   * Requests for which this returns `true` are not measured at all (health checks, the metrics endpoint).
   * Called once per request, before the app sees it. A throwing callback counts as `false`.
   */
  readonly ignore?: (req: IncomingMessage) => boolean;
  /**
   * The `http.route` template of a request (`/users/:id`, never a concrete path), asked after the response.
   * Wins over the framework's route; returning `undefined` (or throwing) falls back to the framework's route,
   * then (except for a 404) to the request path with identifier segments templated by `@yardstick/views`'
   * `templatePath`.
   */
  readonly route?: (req: IncomingMessage) => string | undefined;
  /**
   * Methods recorded as they are; every other method is recorded as `_OTHER` (the conventions require a
   * way to override the list). A full replacement, not an addition. Default RFC 9110's methods and PATCH.
   */
  readonly knownMethods?: readonly string[];
  /**
   * Told about the first failure while measuring (a throwing `ignore()`, `route()` or instrument); default a
   * warning through OTel's `diag`. The request itself is never affected.
   */
  readonly onError?: (error: unknown) => void;
}

/** A connect/express-style middleware. */
export type HttpServerMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** A `node:http` request listener, as `createServer()` takes it. */
export type HttpRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The parts of a fastify request the plugin reads. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: string | undefined } | undefined;
}

/** The parts of a fastify reply the plugin reads. */
export interface FastifyReplyLike {
  readonly raw: ServerResponse;
}

/** The part of a fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (error?: Error) => void) => void,
  ): unknown;
}

/**
 * A fastify plugin (callback style). It carries `Symbol.for('skip-override')`, the mark `fastify-plugin`
 * sets, so fastify does not encapsulate it and its hook applies to every route of the app.
 */
export type HttpServerFastifyPlugin = (
  instance: FastifyInstanceLike,
  options: unknown,
  done: (error?: Error) => void,
) => void;

/** What {@link createHttpServerMetrics} returns: three entry points over the same two instruments. */
export interface HttpServerMetrics {
  /** Connect/express middleware; mount it first (`app.use(kit.middleware)`) so it sees every request. */
  readonly middleware: HttpServerMiddleware;
  /**
   * Wraps a request listener for `http.createServer(kit.wrap(listener))`; an express app is a listener too,
   * and its routes are still read.
   */
  wrap(listener: (req: IncomingMessage, res: ServerResponse) => unknown): HttpRequestListener;
  /** The fastify plugin: `await app.register(kit.fastifyPlugin)`; the route is `request.routeOptions.url`. */
  readonly fastifyPlugin: HttpServerFastifyPlugin;
}

/** Marks a fastify plugin as not encapsulated, as `fastify-plugin` does. */
function skipOverride(plugin: HttpServerFastifyPlugin, name: string): HttpServerFastifyPlugin {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}

const passThroughMiddleware: HttpServerMiddleware = (_req, _res, next) => next();

/**
 * Creates the HTTP server kit on `meter`. A request is measured once however many entry points see it
 * (`wrap` around an express app that also mounts `middleware`), from the first one to its response's
 * `close`; a connection closed before the response completes is recorded with `error.type` `aborted`, a
 * 5xx with the status code as `error.type`. Recording never throws into the app.
 *
 * `http.route` is a template only: the `route` option, else express's `req.baseUrl + req.route.path`,
 * else fastify's `request.routeOptions.url`, else the request path with identifier segments templated
 * (`/users/123/orders/9f1c2e7a` -> `/users/:id/orders/:id`), never with the query string. A 404 without a
 * route from the option or the framework gets no `http.route`: it matched no route, and its path is
 * whatever a client or a scanner typed (the conventions leave `http.route` out when there is none).
 *
 * @example
 * ```ts
 * const http = createHttpServerMetrics(meterProvider.getMeter('my-service'), {
 *   ignore: (req) => req.url === '/healthz',
 * });
 * app.use(http.middleware);                             // express / connect
 * createServer(http.wrap((req, res) => res.end('ok'))); // node:http
 * await fastify.register(http.fastifyPlugin);           // fastify
 * ```
 */
export function createHttpServerMetrics(
  meter: Meter,
  options: HttpServerMetricsOptions = {},
): HttpServerMetrics {
  if (options.enabled === false) {
    return {
      middleware: passThroughMiddleware,
      wrap: (listener) => listener,
      fastifyPlugin: skipOverride((_instance, _options, done) => done(), 'yardstick-http-server-metrics'),
    };
  }
  const recorder = new RequestRecorder(meter, {
    ignore: options.ignore,
    route: options.route,
    knownMethods: options.knownMethods ?? DEFAULT_KNOWN_METHODS,
    onError: options.onError,
  });
  return {
    middleware(req, res, next) {
      recorder.start(req, res);
      trackExpressRoutes(req);
      next();
    },
    wrap(listener) {
      return function measuredListener(this: unknown, req, res) {
        recorder.start(req, res);
        listener.call(this, req, res);
      };
    },
    fastifyPlugin: skipOverride((instance, _options, done) => {
      instance.addHook('onRequest', (request, reply, next) => {
        recorder.start(request.raw, reply.raw, request.routeOptions?.url);
        next();
      });
      done();
    }, 'yardstick-http-server-metrics'),
  };
}
