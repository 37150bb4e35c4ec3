/**
 * Where rule evaluation writes series: recording-rule results and the `ALERTS`/`ALERTS_FOR_STATE` series.
 */
import type { Labels } from '@yardstick/promql';

/** A write-only sample store. Must not throw; it is called on the evaluation path. */
export interface SampleSink {
  append(labels: Labels, timestampMs: number, value: number): void;
}

/** The pino-compatible logger every component takes. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything, the default where none is given. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
