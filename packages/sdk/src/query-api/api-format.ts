/**
 * Value and time formats of the Prometheus HTTP API, so that clients written for Prometheus (Grafana,
 * `yardstick export`, vmalert-style evaluators) read yardstick's `/api/v1` unchanged.
 */

/**
 * Formats a sample value as Prometheus does (Go `strconv.FormatFloat(v, 'f', -1, 64)`): the shortest
 * decimal that round-trips, never in exponent notation; `+Inf`, `-Inf`, `NaN`.
 */
export function formatApiFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const text = String(value);
  if (!text.includes('e')) return text;
  // JS switches to exponent notation below 1e-6 and from 1e21; expand to plain digits like Go's 'f'.
  const negative = value < 0;
  const [mantissa = '', exponentText = '0'] = String(Math.abs(value)).split('e');
  const [integerPart = '', fractionPart = ''] = mantissa.split('.');
  const allDigits = integerPart + fractionPart;
  const point = integerPart.length + Number(exponentText);
  let digits: string;
  if (point <= 0) digits = `0.${'0'.repeat(-point)}${allDigits}`;
  else if (point >= allDigits.length) digits = allDigits + '0'.repeat(point - allDigits.length);
  else digits = `${allDigits.slice(0, point)}.${allDigits.slice(point)}`;
  return negative ? `-${digits}` : digits;
}

/** A timestamp in milliseconds as the API's float seconds (`1700000000.123`). */
export function formatApiTime(ms: number): number {
  return ms / 1000;
}

/**
 * Parses a `time`/`start`/`end` parameter: RFC 3339 or Unix seconds with optional fraction.
 * Returns milliseconds, or undefined when invalid.
 */
export function parseApiTime(text: string): number | undefined {
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
