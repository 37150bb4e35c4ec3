/**
 * Prometheus's humanizing template functions (`template/template.go`), digit for digit: they all print
 * through Go's `%.4g`, so `12345.6` renders `12.35k`, `0.256` renders `25.6%`, `3725` renders `1h 2m 5s`.
 */
import { formatGoFloat } from './go-format.ts';

const g4 = (v: number): string => formatGoFloat(v, 'g', 4);

const BIG_PREFIXES = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL_PREFIXES = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const BINARY_PREFIXES = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

/** `humanize`: SI prefixes, 4 significant digits (`1.5M`, `25m`). */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of BIG_PREFIXES) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v) + prefix;
  }
  for (const p of SMALL_PREFIXES) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v) + prefix;
}

/** `humanize1024`: binary prefixes (`1ki`, `1.5Gi`); magnitudes up to 1 print plainly. */
export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of BINARY_PREFIXES) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

/** `humanizeDuration`: seconds as `1d 2h 3m 4s`, `1m 5s`, `1.5s`, `250ms`. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const abs = Math.abs(v);
    // Go's int64(v), in BigInt so days stay exact above 2^53: from 2^63 up the conversion overflows to
    // math.MinInt64 on amd64, and Prometheus then prints negative parts (`--106751991167300d -15h ...`).
    const total = abs >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(abs));
    const seconds = total % 60n;
    const minutes = (total / 60n) % 60n;
    const hours = (total / 3600n) % 24n;
    const days = total / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(abs)}s`;
  }
  let prefix = '';
  for (const p of SMALL_PREFIXES) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}s`;
}

/** `humanizePercentage`: a ratio as a percentage (`0.256` → `25.6%`). */
export function humanizePercentage(v: number): string {
  return `${g4(v * 100)}%`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Prometheus's `floatToTime`: Unix seconds to whole milliseconds, through an int64 of nanoseconds
 * (`model.TimeFromUnixNano`), with Prometheus's errors for NaN/Inf and for values that overflow it.
 * BigInt keeps the nanosecond-to-millisecond division exact, as Go's int64 division is.
 */
export function floatToTimeMs(v: number): number {
  if (!Number.isFinite(v)) throw new Error('value is NaN or Inf');
  const ns = v * 1e9;
  if (ns > 2 ** 63 - 1 || ns < -(2 ** 63)) {
    throw new Error(
      `${formatGoFloat(v, 'g', -1)} cannot be represented as a nanoseconds timestamp since it overflows int64`,
    );
  }
  return Number(BigInt(Math.trunc(ns)) / 1_000_000n);
}

/** Go's `time.Time.String()` of a UTC time: `2015-06-23 13:19:44.128 +0000 UTC`. */
export function goTimeString(ms: number): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  const frac = millis === 0 ? '' : `.${String(millis).padStart(3, '0').replace(/0+$/, '')}`;
  return `${date} ${time}${frac} +0000 UTC`;
}

/**
 * `humanizeTimestamp`: Unix seconds as Go prints a UTC `time.Time` (`2015-06-23 13:19:44.128 +0000 UTC`),
 * truncated to whole milliseconds as Prometheus converts through `model.Time`. NaN and ±Inf print as
 * `%.4g`. Throws Prometheus's error for values beyond an int64 of nanoseconds (years before 1678 or after
 * 2262), which a template renders as its expansion error.
 */
export function humanizeTimestamp(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  return goTimeString(floatToTimeMs(v));
}
