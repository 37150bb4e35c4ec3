/**
 * Time as OpenTelemetry's `HrTime` (`[seconds, nanoseconds]` since the epoch), read from the monotonic
 * clock anchored at `performance.timeOrigin`, as sdk-metrics does.
 */
import type { HrTime } from '@opentelemetry/api';

/** The current time as an `HrTime`. Not for hot paths: a series reads it once, when it is created. */
export function nowHrTime(): HrTime {
  return millisToHrTime(performance.timeOrigin + performance.now());
}

/** Epoch milliseconds (fractions allowed) as an `HrTime`. */
export function millisToHrTime(epochMillis: number): HrTime {
  const seconds = Math.floor(epochMillis / 1000);
  const nanos = Math.round((epochMillis - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/** An `HrTime` as epoch milliseconds. */
export function hrTimeToMillis(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}
