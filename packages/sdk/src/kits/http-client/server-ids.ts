/**
 * Which configured server a client request went to: servers are given as id → base URL, and a request is
 * attributed to the server whose scheme, host and port are its own and whose path is the longest prefix of
 * its path. The id, never the host, becomes `server.address`: a raw IP in an attribute is a privacy and
 * cardinality problem (and yardstick's redaction would blank it anyway).
 */

/** `server.address` of a request to no configured server. */
export const OTHER_SERVER = '_OTHER';

interface ServerEntry {
  readonly id: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathPrefix: string;
}

/** `host` as URL parsing gives it: IPv6 in brackets, lower case. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/** The configured servers, matched per request. */
export class ServerIds {
  readonly #entries: ServerEntry[] = [];

  /**
   * @param servers - id → base URL (`http://10.0.0.7:8000/v1`); the URL's path, when not `/`, is a prefix
   *   requests must start with (so two servers can share an origin)
   * @throws TypeError when a base URL does not parse
   */
  constructor(servers: Readonly<Record<string, string>>) {
    for (const [id, base] of Object.entries(servers)) {
      const url = new URL(base);
      this.#entries.push({
        id,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port,
        pathPrefix: url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, ''),
      });
    }
    // Longest prefix first, so the first match is the most specific one.
    this.#entries.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
  }

  /**
   * The id of the server `protocol//host:port` + `path` goes to, or {@link OTHER_SERVER}. `port` undefined
   * (a node:http request that failed before connecting, whose port Node does not expose) matches on the
   * host alone when exactly one server has that host. A path in absolute form (a request to a forward
   * proxy) matches the server's root only.
   */
  resolve(protocol: string, host: string, port: string | undefined, path: string): string {
    const hostname = normalizeHost(host);
    const wanted = port === undefined || port === '' ? undefined : port;
    let hostOnly: string | undefined;
    let hostOnlyCount = 0;
    for (const entry of this.#entries) {
      if (entry.protocol !== protocol || entry.hostname !== hostname) continue;
      const prefixOk =
        entry.pathPrefix === '' ||
        path === entry.pathPrefix ||
        path.startsWith(`${entry.pathPrefix}/`) ||
        path.startsWith(`${entry.pathPrefix}?`);
      if (!prefixOk) continue;
      if (wanted === undefined) {
        if (hostOnly !== entry.id) hostOnlyCount++;
        hostOnly = entry.id;
        continue;
      }
      if (entry.port === wanted) return entry.id;
    }
    return wanted === undefined && hostOnlyCount === 1 && hostOnly !== undefined ? hostOnly : OTHER_SERVER;
  }
}
