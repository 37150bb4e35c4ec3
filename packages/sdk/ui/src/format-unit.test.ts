import { describe, expect, it } from 'vitest';
import { formatUnit } from './format-unit.ts';

describe('formatUnit', () => {
  it('formats the units the dashboards use', () => {
    expect(formatUnit(0.0123, 'percentunit')).toBe('1.23%');
    expect(formatUnit(0.25, 's')).toBe('250 ms');
    expect(formatUnit(90, 's')).toBe('1.5 min');
    expect(formatUnit(0.0000042, 's')).toBe('4.2 µs');
    expect(formatUnit(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatUnit(12_345, 'reqps')).toBe('12.3 K req/s');
    expect(formatUnit(3, 'short')).toBe('3');
  });

  it('names NaN and infinities', () => {
    expect(formatUnit(Number.NaN, 's')).toBe('NaN');
    expect(formatUnit(Number.POSITIVE_INFINITY, 'short')).toBe('+Inf');
  });
});
