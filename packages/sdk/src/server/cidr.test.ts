import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCidrMatcher, parseCidr } from './cidr.ts';

describe('createCidrMatcher', () => {
  it('matches IPv4 addresses inside a range and rejects those outside', () => {
    const allowed = createCidrMatcher(['10.0.0.0/8', '192.168.1.0/24']);
    expect(allowed('10.255.3.4')).toBe(true);
    expect(allowed('192.168.1.200')).toBe(true);
    expect(allowed('192.168.2.1')).toBe(false);
    expect(allowed('11.0.0.1')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 client addresses as IPv4', () => {
    const allowed = createCidrMatcher(['127.0.0.1/32']);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('::ffff:127.0.0.2')).toBe(false);
  });

  it('matches IPv6 ranges with compressed notation and non-byte-aligned prefixes', () => {
    const allowed = createCidrMatcher(['fd00::/8', '2001:db8:abcd::/47']);
    expect(allowed('fd12:3456::1')).toBe(true);
    expect(allowed('2001:db8:abcd:1::1')).toBe(true);
    expect(allowed('2001:db8:abce::1')).toBe(false);
    expect(allowed('::1')).toBe(false);
  });

  it('rejects missing and malformed client addresses', () => {
    const allowed = createCidrMatcher(['0.0.0.0/0']);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('not-an-ip')).toBe(false);
    expect(allowed('8.8.8.8')).toBe(true);
  });

  it('names the invalid entry', () => {
    expect(parseCidr('10.0.0.0/33')).toMatch(/"10.0.0.0\/33".*prefix must be an integer 0..32/);
    expect(parseCidr('hello/8')).toMatch(/"hello" is not an IP address/);
    expect(() => createCidrMatcher(['1.2.3.4/x'])).toThrow(/1.2.3.4\/x/);
  });

  it('agrees with a numeric reference for any IPv4 address and prefix', () => {
    const toInt = (a: number[]) => ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
    const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (net, addr, prefix) => {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const expected = (toInt(net) & mask) >>> 0 === (toInt(addr) & mask) >>> 0;
        expect(createCidrMatcher([`${net.join('.')}/${prefix}`])(addr.join('.'))).toBe(expected);
      }),
    );
  });
});

describe('createCidrMatcher with zoned link-local addresses', () => {
  it('matches a link-local client address that carries its interface zone', () => {
    const allowed = createCidrMatcher(['fe80::/10']);
    expect(allowed('fe80::1%eth0')).toBe(true);
    expect(allowed('fe90::1%eth0')).toBe(true);
    expect(allowed('fec0::1%eth0')).toBe(false);
  });
});
