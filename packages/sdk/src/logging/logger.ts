/**
 * One logger for every yardstick component: pino-compatible (`level(obj, msg)`), a pino instance writing
 * JSON to stderr at `info` by default, replaceable through the config. OTel's `diag` is routed into it.
 */
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { pino } from 'pino';

/** The logging interface yardstick components use (a subset of pino's). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The default logger: pino, JSON lines on stderr, level from `YARDSTICK_LOG_LEVEL` or `info`. */
export function createDefaultLogger(): Logger {
  return pino({ name: 'yardstick', level: process.env.YARDSTICK_LOG_LEVEL ?? 'info' }, pino.destination(2));
}

/** A logger that drops everything, for tests and for callers that want silence. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Routes OTel's `diag` messages into `logger` (warn and above unless `level` says otherwise). */
export function routeDiagTo(logger: Logger, level: DiagLogLevel = DiagLogLevel.WARN): void {
  const format = (args: unknown[]) => ({ component: 'otel', args: args.length ? args : undefined });
  const diagLogger: DiagLogger = {
    error: (message, ...args) => logger.error(format(args), message),
    warn: (message, ...args) => logger.warn(format(args), message),
    info: (message, ...args) => logger.info(format(args), message),
    debug: (message, ...args) => logger.debug(format(args), message),
    verbose: (message, ...args) => logger.debug(format(args), message),
  };
  diag.setLogger(diagLogger, { logLevel: level, suppressOverrideMessage: true });
}
