import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatValue } from './format-value.ts';

describe('formatValue', () => {
  it('writes infinities and NaN the way Prometheus does', () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });

  it('writes integers below one million in plain notation and zero without a sign', () => {
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0)).toBe('0');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(-999_999)).toBe('-999999');
  });

  it("switches to Go's exponent notation from 1e6 and below 1e-4, padding the exponent to two digits", () => {
    expect(formatValue(1_000_000)).toBe('1e+06');
    expect(formatValue(1_234_567)).toBe('1.234567e+06');
    expect(formatValue(0.00001)).toBe('1e-05');
    expect(formatValue(-0.000015)).toBe('-1.5e-05');
    expect(formatValue(1e21)).toBe('1e+21');
    expect(formatValue(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(formatValue(5e-324)).toBe('5e-324');
  });

  it('keeps plain notation between 1e-4 and 1e6 with the shortest round-trip digits', () => {
    expect(formatValue(0.0001)).toBe('0.0001');
    expect(formatValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatValue(123456.5)).toBe('123456.5');
  });

  it('always round-trips through parseFloat', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const parsed = Number.parseFloat(
          formatValue(value).replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'),
        );
        expect(
          Object.is(parsed, value === 0 ? 0 : value) || (Number.isNaN(parsed) && Number.isNaN(value)),
        ).toBe(true);
      }),
    );
  });
});
