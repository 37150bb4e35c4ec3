/**
 * Where the instrumentation kits report problems: the caller's logger when one is given, OTel's `diag`
 * otherwise (which `routeDiagTo` sends into yardstick's logger, so `startTelemetry` users see one stream).
 * A problem that recurs at every collection (a pool callback that always throws) is reported once. Shared
 * by every kit.
 */
import { diag } from '@opentelemetry/api';
import type { Logger } from '../logging/logger.ts';

/** A `Logger` over OTel's global `diag`: the context object travels as `diag`'s extra argument. */
export const diagLogger: Logger = {
  debug: (obj, msg) => diag.debug(msg ?? '', obj),
  info: (obj, msg) => diag.info(msg ?? '', obj),
  warn: (obj, msg) => diag.warn(msg ?? '', obj),
  error: (obj, msg) => diag.error(msg ?? '', obj),
};

/** Logs a warning the first time a `key` is seen and stays silent for it afterwards. */
export type WarnOnce = (key: string, obj: object, msg: string) => void;

/** A `WarnOnce` writing to `logger`; each returned function remembers its own keys. */
export function createWarnOnce(logger: Logger): WarnOnce {
  const seen = new Set<string>();
  return (key, obj, msg) => {
    if (seen.has(key)) return;
    seen.add(key);
    logger.warn(obj, msg);
  };
}

/**
 * A reporter that hands the first error to `onError` and ignores the rest, for problems that would
 * otherwise repeat on every request or collection. A throwing `onError` is swallowed: it is the user's
 * code too, and nothing may reach the recording path.
 */
export function createReportOnce(onError: ((error: unknown) => void) | undefined): (error: unknown) => void {
  let reported = false;
  return (error) => {
    if (reported) return;
    reported = true;
    try {
      onError?.(error);
    } catch {
      // see above
    }
  };
}

/** The message of a thrown value, for a log line (never for an attribute: messages are unbounded). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
