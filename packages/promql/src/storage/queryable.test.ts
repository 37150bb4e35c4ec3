import { describe, expect, it } from 'vitest';
import { isStaleNaN, STALE_NAN } from './queryable.ts';

describe('staleness marker', () => {
  it('is recognised and distinguished from an ordinary NaN', () => {
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(Number.NaN)).toBe(false);
    expect(isStaleNaN(0)).toBe(false);
  });

  it('survives a round trip through a Float64Array', () => {
    const values = new Float64Array(1);
    values[0] = STALE_NAN;
    expect(isStaleNaN(values[0]!)).toBe(true);
  });
});
