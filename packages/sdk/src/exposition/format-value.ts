/**
 * Sample values and `le` bounds, formatted exactly like Prometheus's Go client (`expfmt`), which writes
 * `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits that round-trip, in plain notation when the
 * decimal exponent is in [-4, 6), otherwise `d.ddde±XX` with at least two exponent digits.
 */

/**
 * Formats a sample value the way Prometheus's Go client does: `+Inf`, `-Inf`, `NaN`, `0`, `1234.5`,
 * `1e+06`, `1.5e-05`.
 *
 * @example
 * ```ts
 * formatValue(1_000_000); // '1e+06'
 * formatValue(0.25); // '0.25'
 * ```
 */
export function formatValue(value: number): string {
  // Fast path: nearly every value in an exposition is a small integer (counts, buckets), and `'' + n`
  // is the fastest conversion V8 has, so this test comes first.
  if (Number.isInteger(value) && value < 1e6 && value > -1e6) return `${value}`;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const magnitude = value < 0 ? -value : value;
  // JS and Go agree on the shortest round-trip digits; JS already prints plain notation over this range.
  if (magnitude >= 1e-4 && magnitude < 1e6) return `${value}`;
  // `toExponential()` without an argument gives the shortest round-trip digits; Go pads the exponent.
  const exponential = value.toExponential();
  const e = exponential.indexOf('e');
  const sign = exponential.charAt(e + 1);
  const digits = exponential.slice(e + 2);
  return `${exponential.slice(0, e)}e${sign}${digits.length === 1 ? `0${digits}` : digits}`;
}
