/**
 * The OTel -> Prometheus metric name translation: sanitized name, unit suffix, `_total` for counters.
 */
import { sanitizeMetricName } from '@yardstick/views';
import { prometheusUnit } from './unit-suffix.ts';

/** The metric types an exposition declares. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** A metric's names in the exposition. */
export interface PrometheusName {
  /** The sample name (text format `# TYPE` name too): counters end in `_total`. */
  readonly name: string;
  /** The OpenMetrics family name: the sample name without a counter's `_total`. */
  readonly familyName: string;
  /** The unit word the name ends with (`seconds`, `bytes_per_second`), or `''`. */
  readonly unit: string;
}

const TOTAL = '_total';
const TRAILING_UNDERSCORES = /_+$/;

/**
 * Translates an OTel instrument name and unit per the OTel specification: invalid characters become `_`
 * (via `sanitizeMetricName` of `@yardstick/views`), the unit word is appended unless the name already ends
 * with it, and monotonic sums end with exactly one `_total`.
 *
 * @example
 * ```ts
 * prometheusName('http.server.request.duration', 's', 'histogram').name; // 'http_server_request_duration_seconds'
 * prometheusName('sent', 'By', 'counter').name; // 'sent_bytes_total'
 * ```
 */
export function prometheusName(otelName: string, otelUnit: string, type: PrometheusType): PrometheusName {
  let base = sanitizeMetricName(otelName);
  const unit = prometheusUnit(otelUnit, type === 'gauge');
  // `_total` goes last, after the unit: strip it so `io_total` with unit By becomes `io_bytes_total`.
  if (type === 'counter' && base.endsWith(TOTAL) && base.length > TOTAL.length) {
    base = base.slice(0, -TOTAL.length);
  }
  if (unit !== '' && base !== unit && !base.endsWith(`_${unit}`)) base = `${joinable(base)}_${unit}`;
  if (type === 'counter') base = joinable(base);
  return { name: type === 'counter' ? base + TOTAL : base, familyName: base, unit };
}

/**
 * `base` without trailing `_`, so a suffix never makes `__` (the specification collapses runs of `_`):
 * the instrument `requests.` (a valid OTel name) sanitizes to `requests_` and becomes `requests_total`.
 * OTel instrument names start with a letter, so something is always left.
 */
function joinable(base: string): string {
  return base.endsWith('_') ? base.replace(TRAILING_UNDERSCORES, '') : base;
}
