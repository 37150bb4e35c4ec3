import { formatDurationMs } from '@yardstick/promql';
import { z } from 'zod';
import { DURATION_PATTERN, durationToMs } from './duration.ts';

/** The inclusive range of a duration setting, in milliseconds. */
export interface DurationBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Bounds of a duration that becomes a timer (an interval or a timeout). Node holds timer delays in a signed
 * 32-bit integer: a delay above 2^31-1 ms (about 24.8 days) fires after 1 ms instead, so an export interval of
 * 1e15 ms would export in a tight loop. A day is a round limit well inside that; 10 ms keeps a typo from
 * spinning a timer without refusing the short intervals tests use.
 */
export const TIMER_DURATION_BOUNDS: DurationBounds = { minMs: 10, maxMs: 24 * 3_600_000 };

/**
 * Bounds of a duration that says how old data may get (retention, idle eviction): compared with timestamps,
 * never a timer. A second to a year.
 */
export const AGE_DURATION_BOUNDS: DurationBounds = { minMs: 1_000, maxMs: 365 * 24 * 3_600_000 };

/**
 * A duration in milliseconds, as a number or a Prometheus duration string, within `bounds` (by default
 * {@link TIMER_DURATION_BOUNDS}). Output: milliseconds. A value out of range is an issue naming the range.
 */
export function durationSchema(description: string, bounds: DurationBounds = TIMER_DURATION_BOUNDS) {
  const { minMs, maxMs } = bounds;
  const range = `between ${formatDurationMs(minMs)} and ${formatDurationMs(maxMs)}`;
  const outOfRange = (got: string) => `must be ${range}, got ${got}`;
  return z
    .union([
      z
        .number()
        .int()
        .min(minMs, { error: (issue) => outOfRange(`${String(issue.input)} ms`) })
        .max(maxMs, { error: (issue) => outOfRange(`${String(issue.input)} ms`) }),
      z.string().min(1).regex(new RegExp(DURATION_PATTERN), {
        error: "must be milliseconds or a Prometheus duration such as '15s', '1m30s' or '24h'",
      }),
    ])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      // undefined: too large for a safe integer, which is out of range too.
      const ms = durationToMs(value);
      if (ms === undefined || ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: 'custom', message: outOfRange(JSON.stringify(value)) });
        return z.NEVER;
      }
      return ms;
    })
    .describe(
      `${description} Milliseconds, or a Prometheus duration string ('15s', '1m30s', '24h'); ${range}.`,
    );
}
