import { z } from 'zod';
import { DURATION_PATTERN, durationToMs } from './duration.ts';

/** A positive duration: milliseconds as a number, or a Prometheus duration string. Output: milliseconds. */
export function durationSchema(description: string) {
  return z
    .union([
      z.number().int().positive(),
      z.string().min(1).regex(new RegExp(DURATION_PATTERN), {
        error: "must be milliseconds or a Prometheus duration such as '15s', '1m30s' or '24h'",
      }),
    ])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const ms = durationToMs(value);
      if (ms === undefined || ms === 0) {
        ctx.addIssue({
          code: 'custom',
          message: ms === 0 ? 'must be greater than 0' : 'duration is too large',
        });
        return z.NEVER;
      }
      return ms;
    })
    .describe(`${description} Milliseconds, or a Prometheus duration string ('15s', '1m30s', '24h').`);
}
