import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  lowerBoundaryOf,
  MAX_SCALE,
  MIN_SCALE,
  mapToIndex,
  minIndexOf,
  scaleFactorOf,
} from './exponential-mapping.ts';

const indexAt = (value: number, scale: number) => mapToIndex(value, scale, scaleFactorOf(scale));
const ALL_SCALES = Array.from({ length: MAX_SCALE - MIN_SCALE + 1 }, (_, i) => MIN_SCALE + i);
const MIN_NORMAL = 2 ** -1022;

describe('mapToIndex', () => {
  it('puts an exact power of two in the bucket it closes, at every scale', () => {
    for (const scale of ALL_SCALES) {
      for (const exponent of [-1022, -1000, -10, -1, 0, 1, 2, 3, 10, 52, 100, 1023]) {
        const index = indexAt(2 ** exponent, scale);
        // 2^e = base^(e * 2^scale): the upper boundary of bucket e * 2^scale - 1 (rounded down at scale < 0)
        expect(index, `2^${exponent} at scale ${scale}`).toBe(Math.ceil(exponent * 2 ** scale) - 1);
        expect(lowerBoundaryOf(index + 1, scale)).toBeGreaterThanOrEqual(2 ** exponent);
        expect(lowerBoundaryOf(index, scale)).toBeLessThan(2 ** exponent);
      }
    }
  });

  it('gives the textbook buckets at scales 0, 1 and -1', () => {
    expect([0.5, 1, 1.5, 2, 3, 4, 5].map((v) => indexAt(v, 0))).toEqual([-2, -1, 0, 0, 1, 1, 2]);
    // base √2: (1, 1.414] is bucket 0, (1.414, 2] bucket 1
    expect([1.4, 1.5, 2, 2.9].map((v) => indexAt(v, 1))).toEqual([0, 1, 1, 3]);
    // base 4: (1, 4] is bucket 0, (4, 16] bucket 1
    expect([2, 4, 5, 16, 17].map((v) => indexAt(v, -1))).toEqual([0, 0, 1, 1, 2]);
  });

  it('maps the largest double to the last bucket below 2^1024', () => {
    expect(indexAt(Number.MAX_VALUE, 20)).toBe((1024 << 20) - 1);
    expect(indexAt(Number.MAX_VALUE, 1)).toBe(2047);
    expect(indexAt(Number.MAX_VALUE, 0)).toBe(1023);
    expect(indexAt(Number.MAX_VALUE, -10)).toBe(0);
    expect(lowerBoundaryOf((1024 << 20) - 1, 20)).toBeLessThan(Number.MAX_VALUE);
  });

  it('maps the smallest normal and every subnormal value to the bucket closed by 2^-1022', () => {
    const tiny = [
      MIN_NORMAL,
      MIN_NORMAL / 2 + Number.MIN_VALUE,
      2 ** -1030,
      Number.MIN_VALUE,
      MIN_NORMAL - Number.MIN_VALUE,
    ];
    for (const scale of ALL_SCALES) {
      for (const value of tiny)
        expect(indexAt(value, scale), `${value} at scale ${scale}`).toBe(minIndexOf(scale));
    }
    expect(minIndexOf(20)).toBe((-1022 << 20) - 1);
    expect(minIndexOf(0)).toBe(-1023);
    expect(minIndexOf(-10)).toBe(-1);
  });

  it('holds every positive double in 2 buckets at the minimum scale', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), (value) => {
        expect([-1, 0]).toContain(indexAt(value, MIN_SCALE));
      }),
    );
  });

  it('is the mapping at a higher scale shifted right, on both sides of scale 0', () => {
    fc.assert(
      fc.property(
        fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
        fc.integer({ min: 1, max: MAX_SCALE }),
        fc.integer({ min: MIN_SCALE, max: 0 }),
        (value, positive, nonPositive) => {
          expect(indexAt(value, positive)).toBe(indexAt(value, MAX_SCALE) >> (MAX_SCALE - positive));
          expect(indexAt(value, nonPositive)).toBe(indexAt(value, 0) >> -nonPositive);
        },
      ),
    );
  });

  it('puts a value between its bucket boundaries, exactly at scale <= 0 and to 1e-12 above', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MIN_NORMAL, max: Number.MAX_VALUE, noNaN: true }),
        fc.integer({ min: MIN_SCALE, max: MAX_SCALE }),
        (value, scale) => {
          const index = indexAt(value, scale);
          const slack = scale > 0 ? 1e-12 : 0;
          expect(lowerBoundaryOf(index, scale)).toBeLessThan(value * (1 + slack));
          expect(Math.min(lowerBoundaryOf(index + 1, scale), Number.MAX_VALUE)).toBeGreaterThanOrEqual(
            value * (1 - slack),
          );
        },
      ),
    );
  });
});

describe('lowerBoundaryOf', () => {
  it('is an exact power of two on every power-of-two boundary', () => {
    for (const scale of ALL_SCALES) {
      for (const exponent of [-1022, -64, -1, 0, 1, 64, 1023]) {
        if (scale < 0 && exponent % 2 ** -scale !== 0) continue;
        expect(lowerBoundaryOf(exponent * 2 ** scale, scale)).toBe(2 ** exponent);
      }
    }
  });

  it('is the scale-th root of two away from its neighbours at positive scales', () => {
    expect(lowerBoundaryOf(1, 1)).toBeCloseTo(Math.SQRT2, 15);
    expect(lowerBoundaryOf(-1, 1)).toBeCloseTo(Math.SQRT1_2, 15);
    expect(lowerBoundaryOf(3, 2)).toBeCloseTo(2 ** 0.75, 15);
    expect(lowerBoundaryOf(1025, 10)).toBeCloseTo(2 * 2 ** (1 / 1024), 15);
  });

  it('overflows to Infinity only past the largest double', () => {
    expect(lowerBoundaryOf(1024 << 20, 20)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(lowerBoundaryOf((1024 << 20) - 1, 20))).toBe(true);
  });
});
