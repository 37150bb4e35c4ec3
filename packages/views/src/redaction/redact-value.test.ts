import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCANNED_LENGTH, redactValue } from './redact-value.ts';

const R = '[REDACTED]';

describe('redactValue', () => {
  it.each([
    ['https://alice:s3cret@db.example.com:5432/app', `https://${R}@db.example.com:5432/app`],
    ['postgres://user@host/db', `postgres://${R}@host/db`],
    ['Authorization: Bearer abcdef.123456-xyz', `Authorization: Bearer ${R}`],
    ['basic dXNlcjpwYXNzd29yZA==', `basic ${R}`],
    ['/login?user=bob&password=hunter2&next=/', `/login?user=bob&password=${R}&next=/`],
    ['GET /x?token=abc;api_key=XYZ#frag', `GET /x?token=${R};api_key=${R}#frag`],
    ['Token=abc', `Token=${R}`],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', R],
    ['mail bob.smith+tag@mail.example.co.uk now', `mail ${R} now`],
    ['peer 192.168.1.20:8080', `peer ${R}:8080`],
    ['fe80::1%eth0 and 2001:db8::8a2e:370:7334', `${R} and ${R}`],
    ['[::1]:9464', `[${R}]:9464`],
    ['::ffff:10.0.0.1', R],
  ])('redacts %j', (input, output) => {
    expect(redactValue(input)).toBe(output);
  });

  it.each([
    'GET',
    '/users/:id',
    'http.server.request.duration',
    'v1.2.3',
    '12:30:45',
    '00:1A:2B:3C:4D:5E',
    'std::vector',
    'Basic plan',
    '999.1.1.1',
    'a@b',
    'key=value',
  ])('leaves %j alone', (input) => {
    expect(redactValue(input)).toBe(input);
  });

  it('uses the configured replacement', () => {
    expect(redactValue('x 10.0.0.1', '<ip>')).toBe('x <ip>');
  });

  it('replaces values too long to scan in bounded time, whatever they hold', () => {
    const long = `${'a'.repeat(MAX_SCANNED_LENGTH)}b`;
    expect(redactValue(long)).toBe(R);
    expect(redactValue('a'.repeat(MAX_SCANNED_LENGTH))).toBe('a'.repeat(MAX_SCANNED_LENGTH));
  });

  it('stays fast on adversarial near-matches at the scanning limit', () => {
    const inputs = [
      'a'.repeat(2000) + '@',
      '@a'.repeat(1000),
      'a://'.repeat(500),
      '1.'.repeat(1000),
      ':'.repeat(2000),
      'f:'.repeat(1000),
      'eyJ.'.repeat(500),
      'Bearer '.repeat(290),
      'password='.repeat(220),
    ];
    const start = performance.now();
    for (const input of inputs) redactValue(input);
    expect(performance.now() - start).toBeLessThan(500);
  });

  it('handles quotes, newlines, braces and unicode around secrets', () => {
    expect(redactValue('"10.0.0.1"\n}')).toBe(`"${R}"\n}`);
    expect(redactValue('{"email":"zoë@exämple.com"}')).toBe(`{"email":"${R}"}`);
    expect(redactValue('{"email":"zoe@example.com"}')).toBe(`{"email":"${R}"}`);
    expect(redactValue('ключ=1 token=абв')).toBe(`ключ=1 token=${R}`);
    expect(redactValue('🔑 Bearer abcdefgh 🔑')).toBe(`🔑 Bearer ${R} 🔑`);
  });

  it('never lets an embedded IPv4, e-mail or secret parameter through, and is idempotent', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const ip = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const email = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9]{1,10}$/),
        fc.stringMatching(/^[a-z]{1,10}$/),
        fc.constantFrom('com', 'io'),
      )
      .map(([user, host, tld]) => `${user}@${host}.${tld}`);
    const param = fc.stringMatching(/^[A-Za-z0-9]{1,20}$/).map((secret) => `?password=${secret}`);
    const filler = fc.constantFrom(' ', ' x ', '"', '\n', '}', ' — ', '/');
    fc.assert(
      fc.property(filler, fc.oneof(ip, email, param), filler, (before, secret, after) => {
        const out = redactValue(`${before}${secret}${after}`);
        expect(out).not.toContain(secret.replace('?password=', '='));
        expect(out).toContain(R);
        expect(redactValue(out)).toBe(out);
      }),
    );
  });

  it('returns any string unchanged or with placeholders only, never throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (value) => {
        const out = redactValue(value);
        if (!out.includes(R)) expect(out).toBe(value);
      }),
    );
  });
});
