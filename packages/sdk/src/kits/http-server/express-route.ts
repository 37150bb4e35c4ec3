/**
 * Express's matched route as a template: the templates of the mounts the request went through, then
 * `req.route.path` (`/api/:tenant` + `/users/:id`).
 *
 * Express keeps the mounts only as a concrete `req.baseUrl` (`/api/acme`), so `req.baseUrl + req.route.path`
 * would carry the parameter values of every mount path. The template of a mount is on its router layer (see
 * `express-mount-template.ts`), and the layer meets the request only when express calls its
 * `handle_request` (express 4) or `handleRequest` (router 2, express 5), right after setting `req.baseUrl`.
 * {@link trackExpressRoutes} therefore wraps that method once on the layer prototype of the app's express
 * copy, to note per request the template of every base URL express assigns.
 *
 * It also notes the base at the moment express assigns `req.route`, through an accessor on the app's request
 * prototype: when a route inside a mounted router fails (`next(err)`, a thrown error), express restores
 * `req.baseUrl` to the parent's value on the way out but leaves `req.route`, so the pair read after the
 * response would be `/users/:id` without `/api`, a route that exists nowhere.
 */
import { IncomingMessage } from 'node:http';
import { mountTemplate, type RouterLayer } from './express-mount-template.ts';

/** The fields express puts on its request (the same object as Node's `IncomingMessage`). */
interface ExpressRouting {
  readonly app?: unknown;
  readonly baseUrl?: unknown;
  readonly route?: { readonly path?: unknown } | undefined;
  [ROUTE]?: unknown;
  /** The template of `req.baseUrl` when `req.route` was assigned; `null` when it has none. */
  [ROUTE_BASE]?: string | null;
  /** The template of every base URL of this request, by base URL (`null`: a mount without one). */
  [MOUNTS]?: Map<string, string | null>;
}

/** The parts of an express app (4 or 5) read to find its layer prototype. */
interface ExpressApp {
  readonly _router?: { readonly stack?: unknown } | undefined;
  readonly router?: { readonly stack?: unknown } | undefined;
}

type HandleRequest = (this: RouterLayer, req: ExpressRouting, res: unknown, next: unknown) => unknown;

const ROUTE = Symbol('yardstick.express.route');
const ROUTE_BASE = Symbol('yardstick.express.route-base');
const MOUNTS = Symbol('yardstick.express.mounts');
// Shared between copies of this module, so that a layer prototype is wrapped once however many load it.
const WRAPPED = Symbol.for('yardstick.express.mount-templates');

/** Request prototypes already looked at; one per express app (sub-apps inherit their parent's). */
const seenPrototypes = new WeakSet<object>();

/**
 * Makes express note the templates of its mounts and the base of `req.route` for requests of this app. Only
 * an express app's request prototype is touched (the object express creates per app, recognised by its own
 * `app` property), never `IncomingMessage.prototype`, and not when something already defines `route` there;
 * the layer prototype of the app's express copy gets one wrapper that calls the original unchanged.
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
      this[ROUTE_BASE] = baseTemplate(this);
    },
  });
  wrapLayerPrototype((proto as ExpressRouting).app);
}

/**
 * The matched express route of `req` as a template, or `undefined` when express matched none, the route was
 * declared as a RegExp or an array, or a mount on the way has no template (a RegExp mount, a request whose
 * mounts were not tracked): never a path with values in it.
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const routing = req as IncomingMessage & ExpressRouting;
  const route = routing.route;
  const path = route?.path;
  if (typeof path !== 'string') return undefined;
  const base = routing[ROUTE] === route ? routing[ROUTE_BASE] : baseTemplate(routing);
  return typeof base === 'string' ? base + path : undefined;
}

/** The template of `req.baseUrl` now: `''` at the top, `null` for a base no tracked mount explains. */
function baseTemplate(req: ExpressRouting): string | null {
  const base = req.baseUrl;
  if (typeof base !== 'string' || base === '') return '';
  return req[MOUNTS]?.get(base) ?? null;
}

/** Wraps the request handler of the app's layer prototype (found on its router's first layer), once. */
function wrapLayerPrototype(app: unknown): void {
  if (typeof app !== 'object' && typeof app !== 'function') return;
  const express = app as ExpressApp | null;
  // express 4 throws on `app.router`; express 5 has no `_router`.
  const stack = (express?._router ?? express?.router)?.stack;
  const layer: unknown = Array.isArray(stack) ? stack[0] : undefined;
  if (typeof layer !== 'object' || layer === null) return;
  const proto = Object.getPrototypeOf(layer) as Record<string | symbol, unknown> | null;
  if (proto === null || proto[WRAPPED] === true) return;
  for (const name of ['handle_request', 'handleRequest']) {
    const original = proto[name];
    if (typeof original !== 'function' || !Object.hasOwn(proto, name)) continue;
    proto[name] = withMountTemplates(original as HandleRequest);
  }
  proto[WRAPPED] = true;
}

/**
 * The wrapper around a layer's request handler: notes the template of the base URL express has just set,
 * then calls the original as it was called. Shaped for speed, since it runs for every layer of every request
 * of the express copy: a route or handler layer costs two property reads, and a request allocates its map of
 * base templates only when it enters a mount with a path.
 */
function withMountTemplates(original: HandleRequest): HandleRequest {
  return function handleRequest(this: RouterLayer, req, res, next) {
    if (this.route === undefined && this.method === undefined) {
      try {
        noteMount(this, req);
      } catch {
        // A layer of a shape this module does not know: its base stays without a template.
      }
    }
    return original.call(this, req, res, next);
  };
}

function noteMount(layer: RouterLayer, req: ExpressRouting): void {
  const base = req.baseUrl;
  if (typeof base !== 'string' || base === '') return;
  const mount = mountTemplate(layer, base);
  if (mount === undefined) return;
  let mounts = req[MOUNTS];
  if (mounts === undefined) {
    mounts = new Map();
    req[MOUNTS] = mounts;
  }
  const parent = mount.parentBase === '' ? '' : (mounts.get(mount.parentBase) ?? null);
  mounts.set(base, parent === null || mount.template === null ? null : parent + mount.template);
}
