/**
 * `http.route` of a request: a template, never the path a client sent. The framework's matched route when
 * there is one; otherwise the request path with identifier segments replaced by `@yardstick/views`'
 * `templatePath` (`/users/123` -> `/users/:id`), without the query string, fragment, host or credentials.
 */
import type { IncomingMessage } from 'node:http';
import { templatePath } from '@yardstick/views';

/** The fields express puts on its request (the same object as Node's `IncomingMessage`). */
interface ExpressRouting {
  readonly baseUrl?: unknown;
  readonly originalUrl?: unknown;
  readonly route?: { readonly path?: unknown } | undefined;
}

/**
 * Express's matched route, `req.baseUrl + req.route.path` (`/api` + `/users/:id`), read after the
 * response: express sets `req.route` while it dispatches, after the middleware has run. Routes declared
 * as a RegExp or an array have no template, so they give `undefined`.
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const routing = req as IncomingMessage & ExpressRouting;
  const path = routing.route?.path;
  if (typeof path !== 'string') return undefined;
  return typeof routing.baseUrl === 'string' ? routing.baseUrl + path : path;
}

/**
 * The path of a request target: origin-form (`/a?b`) as it is, absolute-form (`http://user:pw@host/a?b`)
 * without scheme, credentials and host; `undefined` for the asterisk form (`OPTIONS *`) and the authority
 * form (`CONNECT host:443`), which have no path.
 */
export function requestPath(target: string): string | undefined {
  if (target.charCodeAt(0) === 47 /* '/' */) return target;
  const scheme = target.indexOf('://');
  if (scheme === -1) return undefined;
  for (let i = scheme + 3; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code === 47 /* '/' */) return target.slice(i);
    // A query or fragment right after the authority: the path is empty, i.e. `/`.
    if (code === 63 /* '?' */ || code === 35 /* '#' */) return '/';
  }
  return '/';
}

/**
 * The templated path of a request that no router matched: express's `originalUrl` (its `req.url` is
 * rewritten inside mounted routers), else `req.url`, through {@link requestPath} and `templatePath`.
 */
export function templatedRequestPath(req: IncomingMessage): string | undefined {
  const original = (req as IncomingMessage & ExpressRouting).originalUrl;
  const target = typeof original === 'string' ? original : req.url;
  if (target === undefined) return undefined;
  const path = requestPath(target);
  return path === undefined ? undefined : templatePath(path);
}
