/**
 * The HTTP server kit's hono middleware. Typed by the parts of hono's `Context` it reads, so
 * `@yardstick/sdk` needs no hono at runtime.
 *
 * On `@hono/node-server` (`c.env.incoming`/`c.env.outgoing`) it measures Node's request and response like
 * `wrap()` does, to the response's `close`, aborts included. On the fetch API (Bun, Deno, workers,
 * `app.request()`) there are no Node objects: it measures from the middleware to the response the app
 * returned, so the time to stream a body is not in it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecorder } from './request-recorder.ts';

/** The parts of a hono (4) `Context` the middleware reads. */
export interface HonoContextLike {
  readonly req: {
    readonly method: string;
    /** The full URL; only its scheme is read. */
    readonly url: string;
    /** The request path; read only with the kit's `templatePaths`. */
    readonly path: string;
    /** The index of the handler running now among the matched ones. */
    readonly routeIndex: number;
    /** The path the handler at `routeIndex` was registered with (`/users/:id`). */
    readonly routePath: string;
    /** Every handler that matched, middleware included (`use()` and `all()` register method `ALL`). */
    readonly matchedRoutes: readonly { readonly method: string }[];
  };
  readonly res: { readonly status: number };
  /** `@hono/node-server` puts Node's request and response here (its `HttpBindings`). */
  readonly env?: unknown;
}

/**
 * A hono middleware: `app.use(kit.honoMiddleware)`, before the routes. `http.route` is the path of the last
 * handler that ran (hono's `routePath`, `/users/:id`); a request that reached no handler after this one,
 * or a 404 whose last handler was a middleware, gets none.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server';
 * import { Hono } from 'hono';
 *
 * const http = telemetry.httpServerMetrics();
 * const app = new Hono();
 * app.use(http.honoMiddleware);
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') })); // http.route: /users/:id
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export type HttpServerHonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<void>;

/** `@hono/node-server`'s bindings, checked by shape. */
interface NodeBindings {
  readonly incoming: IncomingMessage;
  readonly outgoing: ServerResponse;
}

function nodeBindings(env: unknown): NodeBindings | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const { incoming, outgoing } = env as { incoming?: unknown; outgoing?: { on?: unknown } };
  if (typeof incoming !== 'object' || incoming === null || typeof outgoing?.on !== 'function')
    return undefined;
  return env as NodeBindings;
}

/**
 * The route template of a request the middleware at `entry` saw, read after the handlers ran. Never throws:
 * the getters are hono's.
 */
function honoRoute(c: HonoContextLike, entry: number): string | undefined {
  try {
    const index = c.req.routeIndex;
    if (index === entry) return undefined;
    if (c.res.status === 404 && c.req.matchedRoutes[index]?.method === 'ALL') return undefined;
    const path = c.req.routePath;
    return typeof path === 'string' && path !== '' ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The hono middleware over `recorder`. */
export function createHonoMiddleware(recorder: RequestRecorder): HttpServerHonoMiddleware {
  return async function yardstickHttpServerMetrics(c, next) {
    const entry = c.req.routeIndex;
    const node = nodeBindings(c.env);
    if (node !== undefined) {
      recorder.start(node.incoming, node.outgoing, () => honoRoute(c, entry));
      return next();
    }
    const measurement = recorder.startFetch(c.req.method, c.req.url);
    if (measurement === undefined) return next();
    let answered = false;
    try {
      await next();
      answered = true;
    } finally {
      recorder.finishFetch(measurement, () => ({
        statusCode: answered ? c.res.status : undefined,
        route: honoRoute(c, entry),
        path: c.req.path,
      }));
    }
  };
}
