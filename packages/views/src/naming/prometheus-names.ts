/**
 * Prometheus name rules, in one place: the exposition, the views and the lint all use these.
 * Label names: `[a-zA-Z_][a-zA-Z0-9_]*`. Metric names additionally allow `:`.
 * The OTel specification ("Prometheus and OpenMetrics Compatibility") maps every invalid character to `_`
 * and prefixes a name that starts with a digit with `_`.
 */

const VALID_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALID_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]/g;
const INVALID_METRIC_CHARS = /[^a-zA-Z0-9_:]/g;

/** Whether `name` is a valid Prometheus label name. */
export function isValidLabelName(name: string): boolean {
  return VALID_LABEL_NAME.test(name);
}

/** Whether `name` is a valid Prometheus metric name. */
export function isValidMetricName(name: string): boolean {
  return VALID_METRIC_NAME.test(name);
}

/**
 * Maps an OTel attribute key to a Prometheus label name: invalid characters become `_`, a leading digit
 * gets a `_` prefix. `http.route` -> `http_route`.
 */
export function sanitizeLabelName(key: string): string {
  // measured: the test short-circuits the common case (already valid) without allocating
  if (VALID_LABEL_NAME.test(key)) return key;
  if (key === '') return '_';
  const replaced = key.replace(INVALID_LABEL_CHARS, '_');
  return replaced.charCodeAt(0) >= 48 && replaced.charCodeAt(0) <= 57 ? `_${replaced}` : replaced;
}

/** Maps an OTel instrument name to a Prometheus metric name (before unit and `_total` suffixes). */
export function sanitizeMetricName(name: string): string {
  if (VALID_METRIC_NAME.test(name)) return name;
  if (name === '') return '_';
  const replaced = name.replace(INVALID_METRIC_CHARS, '_');
  return replaced.charCodeAt(0) >= 48 && replaced.charCodeAt(0) <= 57 ? `_${replaced}` : replaced;
}
