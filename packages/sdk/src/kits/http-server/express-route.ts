/**
 * Express's matched route, `req.baseUrl + req.route.path` (`/api` + `/users/:id`).
 *
 * Read after the response, because express matches routes after the middleware ran. One catch: when a
 * route inside a mounted router fails (`next(err)`, a thrown error), express restores `req.baseUrl` to the
 * parent's value on the way out but leaves `req.route`, so the pair read at the end would be `/users/:id`
 * without `/api`, a route that exists nowhere. {@link trackExpressRoutes} therefore notes `req.baseUrl` at
 * the moment express assigns `req.route`, through an accessor on the app's own request prototype.
 */
import { IncomingMessage } from 'node:http';

/** The fields express puts on its request (the same object as Node's `IncomingMessage`). */
interface ExpressRouting {
  readonly baseUrl?: unknown;
  readonly route?: { readonly path?: unknown } | undefined;
  [ROUTE]?: unknown;
  [ROUTE_BASE]?: unknown;
}

const ROUTE = Symbol('yardstick.express.route');
const ROUTE_BASE = Symbol('yardstick.express.route-base');

/** Request prototypes already looked at; one per express app (sub-apps inherit their parent's). */
const seenPrototypes = new WeakSet<object>();

/**
 * Makes express remember `req.baseUrl` whenever it assigns `req.route` on requests of this app. Only an
 * express app's request prototype is touched (the object express creates per app, recognised by its own
 * `app` property), never `IncomingMessage.prototype`, and not when something already defines `route` there.
 * Shaped for speed: after the first request of an app this is one `getPrototypeOf` and one `WeakSet` lookup.
 */
export function trackExpressRoutes(req: IncomingMessage): void {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null || seenPrototypes.has(proto)) return;
  seenPrototypes.add(proto);
  if (proto === IncomingMessage.prototype || !Object.hasOwn(proto, 'app') || Object.hasOwn(proto, 'route')) {
    return;
  }
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: true,
    get(this: ExpressRouting) {
      return this[ROUTE];
    },
    set(this: ExpressRouting, route: unknown) {
      this[ROUTE] = route;
      this[ROUTE_BASE] = this.baseUrl;
    },
  });
}

/**
 * The matched express route of `req`, or `undefined` when express matched none (or the route was declared
 * as a RegExp or an array, which have no template). Uses the `baseUrl` noted when the route was matched
 * when {@link trackExpressRoutes} could note it, `req.baseUrl` as it is now otherwise.
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const routing = req as IncomingMessage & ExpressRouting;
  const route = routing.route;
  const path = route?.path;
  if (typeof path !== 'string') return undefined;
  const base = routing[ROUTE] === route ? routing[ROUTE_BASE] : routing.baseUrl;
  return typeof base === 'string' ? base + path : path;
}
