/**
 * Client allow-lists by CIDR, for IPv4 and IPv6, on Node's `net.BlockList` (it also matches an
 * IPv4-mapped IPv6 client address, `::ffff:10.0.0.1` as a dual-stack socket reports it, against IPv4
 * ranges). This file only validates the configured entries so config errors name the entry at fault.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A validated CIDR entry. */
interface ParsedRange {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
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
  return { address, prefix, family: v4 ? 'ipv4' : 'ipv6' };
}

/**
 * Builds a predicate that tells whether a client address is inside any of `cidrs`.
 * Throws `TypeError` naming the first invalid entry (config validation catches these earlier).
 */
export function createCidrMatcher(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const allowed = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new TypeError(parsed);
    allowed.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (address) => {
    if (!address) return false;
    // a link-local client address carries its zone (`fe80::1%eth0`), which BlockList does not parse
    const zone = address.indexOf('%');
    const host = zone >= 0 ? address.slice(0, zone) : address;
    if (isIPv4(host)) return allowed.check(host, 'ipv4');
    return isIPv6(host) && allowed.check(host, 'ipv6');
  };
}
