import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { formatTime, parseDuration, parseTime } from './time.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseDuration', () => {
  it('reads Prometheus durations with several units', () => {
    expect(parseDuration('1h30m', '--step')).toBe(90 * 60_000);
    expect(parseDuration('90d', '--step')).toBe(90 * 86_400_000);
    expect(parseDuration('500ms', '--step')).toBe(500);
    expect(parseDuration('1w2d', '--step')).toBe(9 * 86_400_000);
  });

  it('reads a plain number as seconds', () => {
    expect(parseDuration('60', '--step')).toBe(60_000);
    expect(parseDuration('0.5', '--step')).toBe(500);
  });

  it('rejects units out of order, unknown units and empty text, naming the flag', () => {
    for (const bad of ['30m1h', '5x', '', 'm', '1h1h', '-5m']) {
      expect(() => parseDuration(bad, '--step')).toThrow(CliError);
      expect(() => parseDuration(bad, '--step')).toThrow(/^--step: /);
    }
  });

  it('adds up any well-formed combination of units', () => {
    const units = [
      ['d', 86_400_000],
      ['h', 3_600_000],
      ['m', 60_000],
      ['s', 1_000],
    ] as const;
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), {
          minLength: 4,
          maxLength: 4,
        }),
        (counts) => {
          fc.pre(counts.some((c) => c !== undefined));
          const text = counts.map((c, i) => (c === undefined ? '' : `${c}${units[i]![0]}`)).join('');
          const expected = counts.reduce<number>((sum, c, i) => sum + (c ?? 0) * units[i]![1], 0);
          expect(parseDuration(text, '--step')).toBe(expected);
        },
      ),
    );
  });
});

describe('parseTime', () => {
  it('reads RFC 3339 with a zone, Unix seconds and now', () => {
    expect(parseTime('2026-01-31T00:00:00Z', '--start', NOW)).toBe(Date.parse('2026-01-31T00:00:00Z'));
    expect(parseTime('2026-01-31T02:00:00.250+02:00', '--start', NOW)).toBe(
      Date.parse('2026-01-31T00:00:00.250Z'),
    );
    expect(parseTime('1767225600', '--start', NOW)).toBe(1_767_225_600_000);
    expect(parseTime('1767225600.5', '--start', NOW)).toBe(1_767_225_600_500);
    expect(parseTime('now', '--end', NOW)).toBe(NOW);
  });

  it('reads times relative to now', () => {
    expect(parseTime('-90d', '--start', NOW)).toBe(NOW - 90 * 86_400_000);
    expect(parseTime('now-1h', '--start', NOW)).toBe(NOW - 3_600_000);
  });

  it('rejects times without a zone or in other shapes, naming the flag', () => {
    for (const bad of [
      '2026-01-31',
      '2026-01-31T00:00:00',
      'yesterday',
      '-',
      '-90x',
      '2026-13-45T00:00:00Z',
    ]) {
      expect(() => parseTime(bad, '--start', NOW)).toThrow(/^--start: /);
    }
  });

  it('formats exactly like toISOString, in order or at random', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(formatTime(ms)).toBe(new Date(ms).toISOString());
        expect(formatTime(ms + 60_000)).toBe(new Date(ms + 60_000).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every millisecond time through formatTime', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(parseTime(formatTime(ms), '--start', NOW)).toBe(ms);
      }),
    );
  });
});
