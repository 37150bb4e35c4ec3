/**
 * Prometheus name rules, in one place: the exposition, the views and the lint all use these.
 * Label names: `[a-zA-Z_][a-zA-Z0-9_]*`. Metric names additionally allow `:`.
 *
 * The OTel specification ("Prometheus and OpenMetrics Compatibility", Metric Metadata and Metric Attributes):
 * "unsupported [...] names MUST replace invalid characters with the `_` character. Multiple consecutive `_`
 * characters MUST be replaced with a single `_` character." A name that would start with a digit gets a `_`
 * prefix, as the reference implementations do. Merging the values of two attribute keys that sanitize to the
 * same label (joined with `;`) is the exposition's job, not this file's.
 */

const VALID_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALID_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// One or more characters outside the label alphabet (`_` included, so runs of `_` collapse too).
const INVALID_LABEL_RUNS = /[^a-zA-Z0-9]+/g;
const INVALID_METRIC_RUNS = /[^a-zA-Z0-9:]+/g;

/** Whether `name` is a valid Prometheus label name. */
export function isValidLabelName(name: string): boolean {
  return VALID_LABEL_NAME.test(name);
}

/** Whether `name` is a valid Prometheus metric name. */
export function isValidMetricName(name: string): boolean {
  return VALID_METRIC_NAME.test(name);
}

function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Maps an OTel attribute key to a Prometheus label name: each run of invalid characters (and of `_`) becomes
 * one `_`, a leading digit gets a `_` prefix. `http.route` -> `http_route`, `a..b` -> `a_b`, `1x` -> `_1x`.
 */
export function sanitizeLabelName(key: string): string {
  // measured: valid keys without `__` are the common case; the test returns them without allocating
  if (VALID_LABEL_NAME.test(key) && !key.includes('__')) return key;
  if (key === '') return '_';
  const replaced = key.replace(INVALID_LABEL_RUNS, '_');
  return isAsciiDigit(replaced.charCodeAt(0)) ? `_${replaced}` : replaced;
}

/**
 * Maps an OTel instrument name to a Prometheus metric name (before unit and `_total` suffixes), with the
 * same rules as {@link sanitizeLabelName} except that `:` is kept.
 */
export function sanitizeMetricName(name: string): string {
  if (VALID_METRIC_NAME.test(name) && !name.includes('__')) return name;
  if (name === '') return '_';
  const replaced = name.replace(INVALID_METRIC_RUNS, '_');
  return isAsciiDigit(replaced.charCodeAt(0)) ? `_${replaced}` : replaced;
}
