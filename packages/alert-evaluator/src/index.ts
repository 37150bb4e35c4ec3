/**
 * `@yardstick/alert-evaluator`: Prometheus-format alert and recording rules, their validation, the
 * Prometheus alert state machine, Go-template annotations, datasources and notifiers; and the strict YAML and
 * UTF-8 reading its rule files use, which `@yardstick/sdk` shares for its config file.
 * @packageDocumentation
 */

export type { Datasource, QuerySample, QueryValue } from './datasources/datasource.ts';
export { asVector } from './datasources/datasource.ts';
export type { EmbeddedDatasourceOptions } from './datasources/embedded-datasource.ts';
export { createEmbeddedDatasource } from './datasources/embedded-datasource.ts';
export type {
  PrometheusHttpDatasourceOptions,
  RemoteAuth,
} from './datasources/prometheus-http-datasource.ts';
export { createPrometheusHttpDatasource } from './datasources/prometheus-http-datasource.ts';
export type { AlertEvaluatorErrorCode, RuleFileProblem } from './errors.ts';
export { AlertEvaluatorError, formatRuleFileProblem } from './errors.ts';
export type { AlertEvaluatorOptions, ReloadResult } from './evaluator/alert-evaluator.ts';
export { AlertEvaluator } from './evaluator/alert-evaluator.ts';
export type { EvaluatorMetrics } from './evaluator/evaluator-metrics.ts';
export { createEvaluatorMetrics } from './evaluator/evaluator-metrics.ts';
export type { AlertmanagerAlert, AlertmanagerNotifierOptions } from './notifiers/alertmanager-notifier.ts';
export { AlertmanagerNotifier } from './notifiers/alertmanager-notifier.ts';
export type {
  NotificationChannelConfig,
  NotificationChannelOptions,
} from './notifiers/notification-channels.ts';
export { createNotificationChannels, notificationChannelSchema } from './notifiers/notification-channels.ts';
export type {
  FlushResult,
  Notifier,
  NotifierObserver,
  NotifyContext,
  NotifyResult,
} from './notifiers/notifier.ts';
export { alertFingerprint, generatorURL } from './notifiers/notifier.ts';
export type { NotifierQueueOptions, NotifierQueueStats } from './notifiers/queued-notifier.ts';
export type { SlackMessage, SlackNotifierOptions } from './notifiers/slack-notifier.ts';
export { SlackNotifier, slackMessage } from './notifiers/slack-notifier.ts';
export type { WebhookAlert, WebhookNotifierOptions, WebhookPayload } from './notifiers/webhook-notifier.ts';
export { WebhookNotifier, webhookPayload } from './notifiers/webhook-notifier.ts';
export { formatDuration, parseDuration } from './rules/duration.ts';
export type { ExprCheck, ExprValidator } from './rules/expr-validator.ts';
export type { RuleFileCheck, RuleLoadOptions } from './rules/load-rule-file.ts';
export { checkRuleFile, checkRuleText, loadRuleFiles } from './rules/load-rule-file.ts';
export { promqlExprValidator } from './rules/promql-validator.ts';
export type { ThresholdRule, ThresholdRuleFile } from './rules/rule-file-schema.ts';
export type {
  AlertingRuleDefinition,
  RecordingRuleDefinition,
  RuleDefinition,
  RuleGroupDefinition,
  RuleSource,
} from './rules/rule-model.ts';
export type { ThresholdConversion } from './rules/threshold-rules.ts';
export { convertThresholdRules } from './rules/threshold-rules.ts';
export type { AlertSnapshot, AlertState } from './state/alert.ts';
export type { AlertingRuleOptions, RestoreOptions, RuleSample } from './state/alerting-rule.ts';
export { AlertingRule, RESOLVED_RETENTION_MS } from './state/alerting-rule.ts';
export type { Clock } from './state/clock.ts';
export { ManualClock, systemClock } from './state/clock.ts';
export { groupEvaluationOffsetMs } from './state/evaluation-offset.ts';
export type { ForStateFileOptions } from './state/for-state-file.ts';
export { ForStateFile } from './state/for-state-file.ts';
export { RecordingRule } from './state/recording-rule.ts';
export type { RuleGroupObserver, RuleGroupOptions, RuleHealth } from './state/rule-group.ts';
export { RuleGroup } from './state/rule-group.ts';
export type { Logger, SampleSink } from './state/sample-sink.ts';
export { silentLogger } from './state/sample-sink.ts';
export { SuppressionWindow } from './state/suppression-window.ts';
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
export type { RuleTestFile, RuleTestGroup } from './unit-test/rule-test-file.ts';
export { ruleTestFileSchema } from './unit-test/rule-test-file.ts';
export type {
  RuleTestCaseResult,
  RuleTestFileResult,
  RuleTestRunResult,
  RunRuleTestOptions,
} from './unit-test/run-rule-test-file.ts';
export { formatRuleTestReport, runRuleTestFile, runRuleTestFiles } from './unit-test/run-rule-test-file.ts';
export type { SeriesPoint } from './unit-test/series-notation.ts';
export { expandSeriesValues, parseSeriesLabels } from './unit-test/series-notation.ts';
export type { Utf8Decoding } from './yaml/decode-utf8.ts';
export { decodeUtf8 } from './yaml/decode-utf8.ts';
export type { StrictYaml, YamlProblem } from './yaml/strict-yaml.ts';
export { parseStrictYaml } from './yaml/strict-yaml.ts';
