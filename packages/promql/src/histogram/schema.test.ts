import { describe, expect, it } from 'vitest';
import { EXPONENTIAL_BOUNDS } from './exponential-bounds.ts';
import { getBound, getBoundExponential, targetIndex } from './schema.ts';

describe('getBoundExponential (Prometheus TestGetBoundExponential)', () => {
  it.each([
    [-1, -1, 0.25],
    [0, -1, 1],
    [1, -1, 4],
    [512, -1, Number.MAX_VALUE],
    [513, -1, Number.POSITIVE_INFINITY],
    [-1, 0, 0.5],
    [0, 0, 1],
    [1, 0, 2],
    [1024, 0, Number.MAX_VALUE],
    [1025, 0, Number.POSITIVE_INFINITY],
    [-1, 2, 0.8408964152537144],
    [0, 2, 1],
    [1, 2, 1.189207115002721],
    [4096, 2, Number.MAX_VALUE],
    [4097, 2, Number.POSITIVE_INFINITY],
  ])('bucket %i of schema %i ends at %d', (index, schema, bound) => {
    expect(getBoundExponential(index, schema)).toBe(bound);
  });

  it('reaches the subnormal range with one rounding, as Go’s math.Ldexp', () => {
    expect(getBoundExponential(-1074, 0)).toBe(2 ** -1074);
    expect(getBoundExponential(-1075, 0)).toBe(0);
    expect(getBoundExponential(-1073 * 8 + 3, 3)).toBe(EXPONENTIAL_BOUNDS[3]![3]! * 2 ** -1020 * 2 ** -52);
  });

  it('keeps every boundary of schema s - 1 as a boundary of schema s', () => {
    for (let schema = 1; schema <= 8; schema++) {
      const coarse = EXPONENTIAL_BOUNDS[schema - 1]!;
      const fine = EXPONENTIAL_BOUNDS[schema]!;
      expect(coarse).toEqual(fine.filter((_, i) => i % 2 === 0));
    }
    expect(getBoundExponential(7, 2)).toBe(getBoundExponential(14, 3));
    expect(targetIndex(14, 3, 2)).toBe(7);
    expect(targetIndex(13, 3, 2)).toBe(7);
    expect(targetIndex(-3, 3, 1)).toBe(0);
  });
});

describe('getBound for custom buckets', () => {
  it('runs from -Inf to +Inf around the custom values and refuses other indexes', () => {
    expect(getBound(-1, -53, [1, 2])).toBe(Number.NEGATIVE_INFINITY);
    expect(getBound(1, -53, [1, 2])).toBe(2);
    expect(getBound(2, -53, [1, 2])).toBe(Number.POSITIVE_INFINITY);
    expect(() => getBound(3, -53, [1, 2])).toThrow(/index 3 out of bounds for custom bounds of length 2/);
  });
});
