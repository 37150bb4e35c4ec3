/**
 * `@yardstick/alert-evaluator`: Prometheus-format alert and recording rules, their validation, the
 * Prometheus alert state machine, Go-template annotations, datasources and notifiers.
 * @packageDocumentation
 */

export type { AlertEvaluatorErrorCode, RuleFileProblem } from './errors.ts';
export { AlertEvaluatorError, formatRuleFileProblem } from './errors.ts';
export { formatDuration, parseDuration } from './rules/duration.ts';
export type { AlertTemplate, AlertTemplateData } from './templates/alert-template.ts';
export { compileAlertTemplate } from './templates/alert-template.ts';
export { formatGoFloat, goSprintf } from './templates/go-format.ts';
export {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
} from './templates/humanize.ts';
export type { TemplateQueryResult } from './templates/template-functions.ts';
