/**
 * The HTTP server kit: `http.server.request.duration` and `http.server.active_requests` with the OTel HTTP
 * semantic-convention attributes, from a connect/express middleware, a wrapper for a `node:http` request
 * listener, a fastify plugin or a hono middleware.
 *
 * - `http.server.request.duration`: histogram in `s` with the advised buckets (0.005 s to 10 s), attributes
 *   `http.request.method`, `http.response.status_code` (when one was sent), `http.route` (when a route
 *   template is known), `url.scheme`, `network.protocol.version` (not on hono's fetch API) and `error.type` (a
 *   5xx status as a string, `aborted` when the connection closed before the response was complete, `_OTHER`
 *   when a hono handler on the fetch API threw past hono's error handler). On `/metrics`:
 *   `http_server_request_duration_seconds_bucket|sum|count`.
 * - `http.server.active_requests`: up-down counter in `{request}`, attributes `http.request.method` and
 *   `url.scheme`. On `/metrics`: `http_server_active_requests`.
 *
 * Never recorded: client addresses, user agents, headers, credentials, query strings or full URLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import { trackExpressRoutes } from './express-route.ts';
import { createHonoMiddleware, type HttpServerHonoMiddleware } from './hono-middleware.ts';
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
   * Called once per request, before the app sees it. A throwing callback counts as `false`. Not asked on
   * hono's fetch API, which has no `IncomingMessage`: mount the middleware on the paths to measure there.
   */
  readonly ignore?: (req: IncomingMessage) => boolean;
  /**
   * The `http.route` template of a request (`/users/:id`, never a concrete path), asked after the response.
   * Wins over the framework's route; returning `undefined` (or throwing) falls back to the framework's route,
   * then to nothing (or, with `templatePaths`, the templated path). Not asked on hono's fetch API.
   */
  readonly route?: (req: IncomingMessage) => string | undefined;
  /**
   * Opt-in, for apps without route templates (plain `node:http`, a catch-all handler): a request with no
   * route from `route()` or the framework gets its path with identifier segments templated by
   * `@yardstick/views`' `templatePath` (`/users/123` -> `/users/:id`) as `http.route`, for at most
   * `maxValues` distinct paths per kit, first come first kept; later paths and every 404 get no
   * `http.route`. Off by default: identifier detection is a guess, so every path a scanner types that it
   * does not recognise (`/wp-login.php`, `/.env`) would be a value, and the conventions want `http.route`
   * to be the matched route template or absent. A `maxValues` that is not a positive number admits none.
   */
  readonly templatePaths?: { readonly maxValues: number };
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

/** What {@link createHttpServerMetrics} returns: four entry points over the same two instruments. */
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
  /**
   * The hono middleware: `app.use(kit.honoMiddleware)` before the routes; the route is hono's `routePath`.
   * On `@hono/node-server` it measures Node's request and response (aborts included), elsewhere from the
   * middleware to the response the app returned.
   */
  readonly honoMiddleware: HttpServerHonoMiddleware;
}

/** Marks a fastify plugin as not encapsulated, as `fastify-plugin` does. */
function skipOverride(plugin: HttpServerFastifyPlugin, name: string): HttpServerFastifyPlugin {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}

const passThroughMiddleware: HttpServerMiddleware = (_req, _res, next) => next();
const passThroughHonoMiddleware: HttpServerHonoMiddleware = (_c, next) => next();

/**
 * Creates the HTTP server kit on `meter`. A request is measured once however many entry points see it
 * (`wrap` around an express app that also mounts `middleware`), from the first one to its response's
 * `close`; a connection closed before the response completes is recorded with `error.type` `aborted`, a
 * 5xx with the status code as `error.type`. Recording never throws into the app.
 *
 * `http.route` is the matched route template or absent, never a path a client typed: the `route` option,
 * else fastify's `request.routeOptions.url`, hono's `routePath`, or express's route with the templates of
 * the routers it is mounted under (`/api/:tenant` + `/users/:id`), else nothing. A plain `node:http`
 * listener without `route` therefore records no `http.route`, unless the kit opts into `templatePaths`.
 *
 * @example
 * ```ts
 * const http = createHttpServerMetrics(meterProvider.getMeter('my-service'), {
 *   ignore: (req) => req.url === '/healthz',
 * });
 * app.use(http.middleware);                             // express / connect
 * createServer(http.wrap((req, res) => res.end('ok'))); // node:http
 * await fastify.register(http.fastifyPlugin);           // fastify
 * hono.use(http.honoMiddleware);                        // hono
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
      honoMiddleware: passThroughHonoMiddleware,
    };
  }
  const recorder = new RequestRecorder(meter, {
    ignore: options.ignore,
    route: options.route,
    knownMethods: options.knownMethods ?? DEFAULT_KNOWN_METHODS,
    onError: options.onError,
    templatePaths: options.templatePaths,
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
    honoMiddleware: createHonoMiddleware(recorder),
  };
}
