import { parseDurationMs } from '@yardstick/promql';
import { ConfigError } from './config-error.ts';

/**
 * Prometheus duration syntax (`model.ParseDuration`): integer amounts with units from largest to smallest,
 * each at most once, e.g. `15s`, `1m30s`, `24h`, `1d12h`, `250ms`; or a bare `0`. The JSON Schema of the
 * config carries this pattern, so editors check it too.
 */
export const DURATION_PATTERN = '^(0|(\\d+y)?(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?)$';

/**
 * The milliseconds of a Prometheus duration string, or `undefined` when `text` is not one or does not fit a
 * safe integer. The config schema reports its own message from this; {@link parseDuration} throws.
 */
export function durationToMs(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms !== undefined && Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * Parses a Prometheus-style duration (`'15s'`, `'1m30s'`, `'24h'`, `'0'`) into milliseconds.
 *
 * @throws ConfigError with code `CONFIG_INVALID` when `text` is not a duration or is too large.
 * @example
 * ```ts
 * parseDuration('1m30s'); // 90000
 * ```
 */
export function parseDuration(text: string): number {
  const ms = durationToMs(text);
  if (ms === undefined) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        path: '',
        message: `invalid duration ${JSON.stringify(text)}: expected e.g. '15s', '1m30s', '24h' or '250ms'`,
        source: { kind: 'code' },
      },
    ]);
  }
  return ms;
}
