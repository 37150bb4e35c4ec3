import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatApiFloat, parseApiTime } from './api-format.ts';

describe('formatApiFloat', () => {
  it('formats like Go strconv.FormatFloat(v, f, -1, 64)', () => {
    expect(formatApiFloat(1)).toBe('1');
    expect(formatApiFloat(0.1)).toBe('0.1');
    expect(formatApiFloat(-2.5)).toBe('-2.5');
    expect(formatApiFloat(1e21)).toBe('1000000000000000000000');
    expect(formatApiFloat(1.2345e21)).toBe('1234500000000000000000');
    expect(formatApiFloat(1.5e-7)).toBe('0.00000015');
    expect(formatApiFloat(-2.5e-9)).toBe('-0.0000000025');
    expect(formatApiFloat(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatApiFloat(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatApiFloat(Number.NaN)).toBe('NaN');
  });

  it('round-trips every finite double and never uses exponent notation', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = formatApiFloat(v);
        expect(text).not.toMatch(/e/i);
        expect(Number(text)).toBe(v === 0 ? 0 : v);
      }),
    );
  });
});

describe('parseApiTime', () => {
  it('parses Unix seconds with fractions and RFC 3339', () => {
    expect(parseApiTime('1700000000.123')).toBe(1_700_000_000_123);
    expect(parseApiTime('1700000000')).toBe(1_700_000_000_000);
    expect(parseApiTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parseApiTime('2023-11-14T23:13:20.5+01:00')).toBe(1_700_000_000_500);
  });

  it('rejects anything else', () => {
    expect(parseApiTime('yesterday')).toBeUndefined();
    expect(parseApiTime('')).toBeUndefined();
    expect(parseApiTime('2023-13-45T99:00:00Z')).toBeUndefined();
  });
});
