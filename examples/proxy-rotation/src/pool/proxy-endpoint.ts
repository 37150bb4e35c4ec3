/**
 * A proxy as the pool knows it: an id that is safe to put in a metric label, where to connect, and the
 * credentials to present, which never leave this object except in a `Proxy-Authorization` header.
 */
import { ProxyPoolError } from './proxy-pool-error.ts';

/** One outbound proxy. */
export interface ProxyEndpoint {
  /**
   * A short, stable name (`eu-west-1`), used as the `proxy` label. Bounded by the pool's size and free of
   * addresses and secrets, unlike the URL (see the README: why host:port is not the label).
   */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Basic credentials for `Proxy-Authorization`; never logged, never an attribute. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** A proxy as configured: a URL (`http://user:pass@10.0.0.7:3128`) with an optional id. */
export interface ProxySpec {
  readonly url: string;
  readonly id?: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Reads a proxy spec. The id defaults to `<prefix>-<n>` (1-based position; the pool gives
 * `<pool>-<region>`) rather than host:port, so it stays meaningful when a proxy's address changes and is
 * never an IP that redaction would blank out.
 *
 * @throws ProxyPoolError `PROXY_SPEC_INVALID` when the URL is not `http://host:port` or the id is unusable
 *   as a label value; the message never repeats the URL, which may hold a password.
 */
export function parseProxySpec(spec: ProxySpec | string, prefix: string, position: number): ProxyEndpoint {
  const { url, id } = typeof spec === 'string' ? { url: spec, id: undefined } : spec;
  const name = id ?? `${prefix}-${position + 1}`;
  if (!ID.test(name)) {
    throw new ProxyPoolError('PROXY_SPEC_INVALID', `proxy ${position + 1} of ${prefix}: invalid id`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ProxyPoolError('PROXY_SPEC_INVALID', `proxy ${name}: not a URL`, { cause: error });
  }
  const port = Number(parsed.port);
  if (parsed.protocol !== 'http:' || parsed.hostname === '' || !Number.isInteger(port) || port <= 0) {
    throw new ProxyPoolError('PROXY_SPEC_INVALID', `proxy ${name}: expected http://[user:pass@]host:port`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.username === '') return { id: name, host, port };
  try {
    const username = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    return { id: name, host, port, credentials: { username, password } };
  } catch (error) {
    // A stray `%` in the userinfo (found by the property test); the URIError's message holds no secret.
    throw new ProxyPoolError('PROXY_SPEC_INVALID', `proxy ${name}: malformed %-escape in the credentials`, {
      cause: error,
    });
  }
}

/** The `Proxy-Authorization` header value for `proxy`, or `undefined` when it needs none. */
export function proxyAuthorization(proxy: ProxyEndpoint): string | undefined {
  if (proxy.credentials === undefined) return undefined;
  const { username, password } = proxy.credentials;
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
