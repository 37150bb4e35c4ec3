/**
 * `@yardstick/views`: OTel attribute processors and view factories: spec-correct series limits with an
 * overflow series, value budgets, allow/deny lists, redaction and path templating.
 * @packageDocumentation
 */
export type { ViewsErrorCode } from './errors/views-error.ts';
export { ViewsError } from './errors/views-error.ts';
export type { ViewsLogger } from './logging/views-logger.ts';
export {
  isValidLabelName,
  isValidMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
} from './naming/prometheus-names.ts';
export type { KeyFilterOptions } from './processors/key-filter.ts';
export { createKeyFilterProcessor } from './processors/key-filter.ts';
export type { AdmittedSeries, SeriesLimiterOptions } from './processors/series-limiter.ts';
export {
  createSeriesLimitProcessor,
  createSeriesLimitView,
  OVERFLOW_ATTRIBUTES,
  SeriesLimiter,
} from './processors/series-limiter.ts';
export type { ValueBudgetOptions } from './processors/value-budget.ts';
export { createValueBudgetProcessor, DEFAULT_OTHER_VALUE, ValueBudget } from './processors/value-budget.ts';
export { DEFAULT_REDACTION_REPLACEMENT, redactValue } from './redaction/redact-value.ts';
export type { RedactionOptions } from './redaction/redaction-processor.ts';
export { createRedactionProcessor, DEFAULT_DROP_KEYS } from './redaction/redaction-processor.ts';
export { SELF_METRIC_NAMES } from './telemetry/self-metrics.ts';
export type { PathTemplatingOptions } from './templating/path-template.ts';
export {
  createPathTemplateProcessor,
  DEFAULT_PATH_PLACEHOLDER,
  DEFAULT_TEMPLATED_KEYS,
  templatePath,
} from './templating/path-template.ts';
export type { CorePolicies, PolicyInstrument, PolicyStreamStats } from './views/create-core-policies.ts';
export { createCorePolicies } from './views/create-core-policies.ts';
export type {
  CardinalityOptions,
  CardinalityStats,
  YardstickViews,
  YardstickViewsContext,
} from './views/create-yardstick-views.ts';
export { createYardstickViews, DEFAULT_OWN_METERS } from './views/create-yardstick-views.ts';
