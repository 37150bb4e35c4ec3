import { diag } from '@opentelemetry/api';

/**
 * The logger the views write to: the pino-compatible shape used across yardstick, `level(obj, msg)`.
 * A pino instance fits as is.
 */
export interface ViewsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The logger used when none is given: forwards to OTel's `diag`, which yardstick's SDK routes into its own
 * logger, so a warning is never silently lost.
 */
export const diagViewsLogger: ViewsLogger = {
  debug: (obj, msg) => diag.debug(msg ?? '', obj),
  info: (obj, msg) => diag.info(msg ?? '', obj),
  warn: (obj, msg) => diag.warn(msg ?? '', obj),
  error: (obj, msg) => diag.error(msg ?? '', obj),
};
