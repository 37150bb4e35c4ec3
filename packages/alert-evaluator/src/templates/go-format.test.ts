import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGoFloat, goSprintf } from './go-format.ts';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('formatGoFloat', () => {
  it('prints shortest %v digits that read back as the same number', () => {
    fc.assert(
      fc.property(finite, (v) => {
        expect(Number(formatGoFloat(v, 'g', -1))).toBe(v);
      }),
    );
  });

  it('uses exponent form for %v exactly when the decimal exponent is < -4 or >= 6, as Go does', () => {
    fc.assert(
      fc.property(
        finite.filter((v) => v !== 0),
        (v) => {
          const exp = Number(v.toExponential().split('e')[1]);
          expect(formatGoFloat(v, 'g', -1).includes('e')).toBe(exp < -4 || exp >= 6);
        },
      ),
    );
  });

  it('rounds %.Nf to the nearest representable decimal, ties to even on the exact binary value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 6 }),
        (n, prec) => {
          // n/8 is exact in binary, so ties are real ties here.
          const v = n / 8;
          const got = Number(formatGoFloat(v, 'f', prec));
          expect(Math.abs(got - v)).toBeLessThanOrEqual(0.5 * 10 ** -prec + 1e-9);
        },
      ),
    );
    expect(formatGoFloat(0.125, 'f', 2)).toBe('0.12');
    expect(formatGoFloat(0.375, 'f', 2)).toBe('0.38');
    expect(formatGoFloat(2.5, 'f', 0)).toBe('2');
    expect(formatGoFloat(3.5, 'f', 0)).toBe('4');
  });

  it('formats %e with at least two exponent digits', () => {
    expect(formatGoFloat(1234.5678, 'e', 6)).toBe('1.234568e+03');
    expect(formatGoFloat(1e-300, 'e', 2)).toBe('1.00e-300');
    expect(formatGoFloat(0, 'e', 1)).toBe('0.0e+00');
    expect(formatGoFloat(5e-324, 'g', -1)).toBe('5e-324');
  });
});

describe('goSprintf', () => {
  it('prints invalid code points as U+FFFD with %c and negative integers as uint64 with %U, as Go does', () => {
    expect(goSprintf('%c', [-1n])).toBe('\ufffd');
    expect(goSprintf('%c', [0xd800n])).toBe('\ufffd');
    expect(goSprintf('%c', [0x110000n])).toBe('\ufffd');
    expect(goSprintf('%c', [0x41n])).toBe('A');
    expect(goSprintf('%U', [-1n])).toBe('U+FFFFFFFFFFFFFFFF');
    expect(goSprintf('%U', [0x41n])).toBe('U+0041');
  });

  it('never throws, whatever the format and arguments', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.oneof(fc.string(), finite, fc.bigInt(), fc.boolean())),
        (format, args) => {
          expect(typeof goSprintf(format, args)).toBe('string');
        },
      ),
    );
  });

  it('reports extra arguments as Go does', () => {
    expect(goSprintf('%s', ['x', 1.5])).toBe('x%!(EXTRA float64=1.5)');
  });
});
