/**
 * The opt-in fallback `http.route` of a request no framework route matched (the kit's `templatePaths`): the
 * request path with identifier segments replaced by `@yardstick/views`' `templatePath` (`/users/123` ->
 * `/users/:id`), without the query string, fragment, host or credentials. Identifier detection is a guess, so
 * the kit keeps these values under a budget.
 */
import type { IncomingMessage } from 'node:http';
import { templatePath } from '@yardstick/views';

/** Express keeps the target as sent in `originalUrl` (its `req.url` is rewritten inside routers). */
interface ExpressUrl {
  readonly originalUrl?: unknown;
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

/** The path of a request target through {@link requestPath} and `templatePath`. */
export function templatedTarget(target: string): string | undefined {
  const path = requestPath(target);
  return path === undefined ? undefined : templatePath(path);
}

/**
 * The templated path of a request that no router matched: express's `originalUrl` (its `req.url` is
 * rewritten inside mounted routers), else `req.url`, through {@link templatedTarget}.
 */
export function templatedRequestPath(req: IncomingMessage): string | undefined {
  const original = (req as IncomingMessage & ExpressUrl).originalUrl;
  const target = typeof original === 'string' ? original : req.url;
  return target === undefined ? undefined : templatedTarget(target);
}
