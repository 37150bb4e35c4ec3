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

/** Go's `%g` (`strconv.FormatFloat(v, 'g', -1, 64)`), as used in quantile and ratio warnings. */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  const exponent = value === 0 ? 0 : Number(value.toExponential().split('e')[1]);
  // Shortest 'g' formatting switches to an exponent from 1e+06 on (JavaScript only from 1e21).
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** Prometheus's `FormatOpenMetricsFloat`: Go's `%g`, with `.0` appended to integral values. */
export function openMetricsFloat(value: number): string {
  const text = goFloat(value);
  if (!Number.isFinite(value) || /[e.]/.test(text)) return text;
  return `${text}.0`;
}
