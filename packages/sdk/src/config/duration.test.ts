import { parseDurationMs } from '@yardstick/promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { DURATION_PATTERN, durationToMs, parseDuration } from './duration.ts';

const units = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

describe('parseDuration', () => {
  it('reads single units and Prometheus-style combinations', () => {
    expect(parseDuration('15s')).toBe(15 * 1000);
    expect(parseDuration('1m30s')).toBe(60_000 + 30_000);
    expect(parseDuration('24h')).toBe(24 * 3_600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1y')).toBe(365 * 86_400_000);
    expect(parseDuration('0')).toBe(0);
  });

  it('tells a minute from a millisecond', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('5ms')).toBe(5);
    expect(parseDuration('1m5ms')).toBe(60_005);
  });

  it('rejects empty text, units out of order, repeated units, fractions, spaces and bare numbers', () => {
    for (const text of ['', 's', '30s1m', '1s1s', '1.5s', ' 1s', '1 s', '15', '-1s', '1x', '1S']) {
      expect(() => parseDuration(text), text).toThrow(ConfigError);
    }
  });

  it('names the bad text in its error with code CONFIG_INVALID', () => {
    const error = (() => {
      try {
        parseDuration('ten seconds');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as ConfigError).message).toContain('"ten seconds"');
  });

  it('rejects durations that do not fit a safe integer of milliseconds', () => {
    expect(() => parseDuration('99999999999999y')).toThrow(ConfigError);
  });

  it('sums any in-order combination of units (property)', () => {
    const part = fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(part, { minLength: units.length, maxLength: units.length }), (amounts) => {
        const text = amounts
          .map((amount, i) => (amount === undefined ? '' : `${amount}${units[i]![0]}`))
          .join('');
        fc.pre(text !== '');
        const expected = amounts.reduce<number>((sum, amount, i) => sum + (amount ?? 0) * units[i]![1], 0);
        expect(parseDuration(text)).toBe(expected);
      }),
    );
  });

  it('either parses to a non-negative safe integer or throws ConfigError, for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ymwdhs '.split('')) }), (text) => {
        try {
          const ms = parseDuration(text);
          expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });

  it('agrees with the JSON Schema pattern editors check, for any text (property)', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789ymwdhs'.split('')), maxLength: 12 }),
        (text) => {
          // the pattern cannot bound the size: beyond a safe integer of milliseconds the parser refuses
          const fits = Number.isSafeInteger(parseDurationMs(text) ?? 0);
          expect(durationToMs(text) !== undefined).toBe(pattern.test(text) && text !== '' && fits);
        },
      ),
    );
  });
});
