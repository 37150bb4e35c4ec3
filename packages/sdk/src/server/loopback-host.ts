/**
 * Whether a listen address only accepts connections from this machine, for deciding what the telemetry
 * server may expose without authentication.
 */
import { isIP } from 'node:net';

/**
 * True for `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.0.0.1`). Anything else,
 * `0.0.0.0` and `::` included, may be reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const version = isIP(bare);
  if (version === 4) return bare.startsWith('127.');
  if (version === 6) {
    const lower = bare.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^(?:0*:)*?:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}
