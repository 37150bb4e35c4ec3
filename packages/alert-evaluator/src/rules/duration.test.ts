import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertEvaluatorError } from '../errors.ts';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads Prometheus durations', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1y2w3d')).toBe((365 + 14 + 3) * 86_400_000);
    expect(parseDuration('1s500ms')).toBe(1_500);
  });

  it('rejects what Prometheus rejects', () => {
    for (const bad of ['', '5', '1.5m', '5 minutes', '1m1h', '-1m', 'm']) {
      expect(() => parseDuration(bad), bad).toThrow(AlertEvaluatorError);
    }
  });

  it('round-trips through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it('prints years and weeks only when nothing is left over, as model.Duration does', () => {
    expect(formatDuration(8 * 86_400_000)).toBe('8d');
    expect(formatDuration(14 * 86_400_000)).toBe('2w');
    expect(formatDuration(90 * 86_400_000)).toBe('90d');
    expect(formatDuration(365 * 86_400_000)).toBe('1y');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
  });

  it('either parses or throws DURATION_INVALID for any string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          expect(parseDuration(s)).toBeGreaterThanOrEqual(0);
        } catch (err) {
          expect((err as AlertEvaluatorError).code).toBe('DURATION_INVALID');
        }
      }),
    );
  });
});
