/**
 * Maintenance windows from cron patterns (croner): the window is open during every minute the pattern
 * matches, e.g. `* 2-3 * * 6` is Saturdays 02:00–03:59 (in UTC unless a timezone is given).
 */
import { Cron } from 'croner';

/** A cron-defined maintenance window. */
export class SuppressionWindow {
  readonly pattern: string;
  private readonly cron: Cron;

  /** Throws croner's error for an invalid pattern (rule validation reports it first). */
  constructor(pattern: string, timezone = 'UTC') {
    this.pattern = pattern;
    this.cron = new Cron(pattern, { paused: true, timezone });
  }

  /** Whether the minute containing `timeMs` matches the pattern. */
  isOpen(timeMs: number): boolean {
    const minute = Math.floor(timeMs / 60_000) * 60_000;
    // The next run strictly after the previous millisecond is this minute exactly when it matches.
    const next = this.cron.nextRun(new Date(minute - 1));
    return next !== null && next.getTime() === minute;
  }
}
