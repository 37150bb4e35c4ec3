import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidStringLiteral,
  normalizeTrailingDots,
  parseDurationMs,
  parseGoNumber,
  unquoteString,
} from './literals.ts';

/** Quotes a string the way Go's `strconv.Quote` may: escapes for the quote, backslash and controls. */
function goQuote(value: string, quote: '"' | "'"): string {
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return out + quote;
}

describe('unquoteString', () => {
  it('inverts Go quoting for any text, in double and single quotes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.constantFrom<'"' | "'">('"', "'"),
        (s, q) => {
          expect(unquoteString(goQuote(s, q))).toBe(s);
        },
      ),
    );
  });

  it('keeps raw strings verbatim', () => {
    expect(unquoteString('`a\\nb"c`')).toBe('a\\nb"c');
  });

  it('rejects unknown escapes and unterminated literals', () => {
    expect(() => unquoteString('"\\q"')).toThrow(InvalidStringLiteral);
    expect(() => unquoteString('"abc')).toThrow('unterminated quoted string');
    expect(() => unquoteString('"\\u12"')).toThrow(InvalidStringLiteral);
  });
});

describe('parseGoNumber', () => {
  it('reads back every finite double it prints', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        // String(-0) is "0", so -0 reads back as 0.
        expect(parseGoNumber(String(n))).toBe(n + 0);
      }),
    );
  });

  it('reads integers in every Go base', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (n) => {
        expect(parseGoNumber(`0x${n.toString(16)}`)).toBe(n);
        expect(parseGoNumber(`0o${n.toString(8)}`)).toBe(n);
        expect(parseGoNumber(`0${n.toString(8)}`)).toBe(n);
        expect(parseGoNumber(`0b${n.toString(2)}`)).toBe(n);
      }),
    );
  });

  it('rejects misplaced underscores and words', () => {
    expect(parseGoNumber('1__0')).toBeUndefined();
    expect(parseGoNumber('_1')).toBeUndefined();
    expect(parseGoNumber('one')).toBeUndefined();
  });
});

describe('parseDurationMs', () => {
  it('reads units in descending order, once each', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1y2w3d4h5m6s7ms')).toBe(
      365 * 86_400_000 + 2 * 7 * 86_400_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7,
    );
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('30m1h')).toBeUndefined();
    expect(parseDurationMs('')).toBeUndefined();
  });
});

describe('normalizeTrailingDots', () => {
  it('keeps the length and leaves strings and comments alone', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(normalizeTrailingDots(s)).toHaveLength(s.length);
      }),
    );
    expect(normalizeTrailingDots('2. + x{a="2."} # 3.')).toBe('2  + x{a="2."} # 3.');
    expect(normalizeTrailingDots('2.e3')).toBe('2e3 ');
  });
});
