/**
 * Prometheus durations (`model.ParseDuration`): units `y w d h m s ms`, largest first, each at most once,
 * integers only; `0` alone is allowed. A year is 365 days, as in Prometheus.
 */
import { AlertEvaluatorError } from '../errors.ts';

const UNITS: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses a Prometheus duration into milliseconds, or throws `DURATION_INVALID`. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const m = DURATION_RE.exec(text);
  if (text === '' || m === null) {
    throw new AlertEvaluatorError('DURATION_INVALID', `not a valid duration string: "${text}"`);
  }
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNITS[i]![1];
  }
  if (!Number.isSafeInteger(ms)) {
    throw new AlertEvaluatorError('DURATION_INVALID', `duration out of range: "${text}"`);
  }
  return ms;
}

/** Formats milliseconds the way Prometheus prints durations (`1h30m`, `5m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = ms < 0 ? '-' : '';
  rest = Math.abs(rest);
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
