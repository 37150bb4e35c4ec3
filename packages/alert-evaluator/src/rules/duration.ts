/**
 * Prometheus durations (`model.ParseDuration`): units `y w d h m s ms`, largest first, each at most once,
 * integers only; `0` alone is allowed. A year is 365 days, as in Prometheus. The grammar lives in
 * `@yardstick/promql`; this adds the rule loader's typed error.
 */
import { formatDurationMs, parseDurationMs } from '@yardstick/promql';
import { AlertEvaluatorError } from '../errors.ts';

/** Parses a Prometheus duration into milliseconds, or throws `DURATION_INVALID`. */
export function parseDuration(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new AlertEvaluatorError('DURATION_INVALID', `not a valid duration string: "${text}"`);
  }
  if (!Number.isSafeInteger(ms)) {
    throw new AlertEvaluatorError('DURATION_INVALID', `duration out of range: "${text}"`);
  }
  return ms;
}

/** Formats milliseconds the way Prometheus prints durations (`1h30m`, `5m`, `8d`, `0s`). */
export const formatDuration = formatDurationMs;
