/**
 * Client allow-lists by CIDR, for IPv4 and IPv6. An IPv4-mapped IPv6 client address (`::ffff:10.0.0.1`,
 * what a dual-stack socket reports) matches IPv4 ranges.
 */
import { isIPv4, isIPv6 } from 'node:net';

interface ParsedRange {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // a trailing embedded IPv4 (`::ffff:1.2.3.4`) is two 16-bit groups
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a, b, c, d] = ipv4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...new Array<string>(missing).fill('0'), ...restGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** IPv4 bytes of an IPv4 address or an IPv4-mapped IPv6 address; otherwise undefined. */
function asIpv4(address: string): Uint8Array | undefined {
  if (isIPv4(address)) return ipv4Bytes(address);
  if (!isIPv6(address)) return undefined;
  const bytes = ipv6Bytes(address);
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined;
  return bytes.slice(12);
}

/**
 * Parses `a.b.c.d/n` or `v6::/n` (a bare address is a /32 or /128). Returns an error message naming the
 * problem, or the parsed range.
 */
export function parseCidr(cidr: string): ParsedRange | string {
  const [address = '', prefixText, extra] = cidr.trim().split('/');
  if (extra !== undefined) return `"${cidr}" is not a CIDR (more than one "/")`;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return `"${cidr}" is not a CIDR: "${address}" is not an IP address`;
  const max = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) {
    return `"${cidr}" is not a CIDR: prefix must be an integer 0..${max}`;
  }
  return { bytes: v4 ? ipv4Bytes(address) : ipv6Bytes(address), prefix };
}

function matches(range: ParsedRange, bytes: Uint8Array): boolean {
  if (range.bytes.length !== bytes.length) return false;
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (range.bytes[i] !== bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range.bytes[full]! & mask) === (bytes[full]! & mask);
}

/**
 * Builds a predicate that tells whether a client address is inside any of `cidrs`.
 * Throws `TypeError` naming the first invalid entry (config validation catches these earlier).
 */
export function createCidrMatcher(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const ranges = cidrs.map((cidr) => {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new TypeError(parsed);
    return parsed;
  });
  return (address) => {
    if (!address) return false;
    const v4 = asIpv4(address);
    const bytes = v4 ?? (isIPv6(address) ? ipv6Bytes(address) : undefined);
    if (!bytes) return false;
    return ranges.some((range) => matches(range, bytes));
  };
}
