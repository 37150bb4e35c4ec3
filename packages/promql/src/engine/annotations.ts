/**
 * Warnings and infos a query produces, worded as Prometheus words them so that a user (or a `.test`
 * file) sees the same text from yardstick and from a real Prometheus. Like Prometheus, each distinct
 * message is kept once.
 */

/** Collects the distinct warning and info messages of one query. */
export class AnnotationSet {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();

  /** Adds a warning; the `PromQL warning: ` prefix is added here. */
  warn(message: string): void {
    this.warnings.add(`PromQL warning: ${message}`);
  }

  /** Adds an info; the `PromQL info: ` prefix is added here. */
  info(message: string): void {
    this.infos.add(`PromQL info: ${message}`);
  }
}

/** Go's `%q` for a string, which for the names and values seen here matches JSON quoting. */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go's `%g` for a float64, as used in quantile and ratio warnings. */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21) {
    const [mantissa, exp] = value.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}
