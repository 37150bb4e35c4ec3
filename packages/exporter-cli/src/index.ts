/**
 * `@yardstick/exporter-cli`: the `yardstick` command line, and the library functions behind its verbs.
 * @packageDocumentation
 */

export { runCli } from './cli.ts';
export type { CliIo } from './cli-io.ts';
export { buildDashboard } from './dashboard/build-dashboard.ts';
export type { DashboardConfig } from './dashboard/dashboard-config.ts';
export { DashboardConfigSchema } from './dashboard/dashboard-config.ts';
export { parseDashboardConfig } from './dashboard/load-dashboard-config.ts';
export type { CliErrorCode } from './errors.ts';
export { CliError, isUsageError } from './errors.ts';
export type { ExportFormat, ExportRecord, ExportStatus } from './export/export-record.ts';
export type { ExportOptions, ExportQuery, ExportSummary } from './export/export-run.ts';
export { runExport } from './export/export-run.ts';
export type { FilterOperator, LabelFilter } from './export/filter-rewrite.ts';
export { isValidLabelName, parseFilter, rewriteQueryWithFilters } from './export/filter-rewrite.ts';
export type { RangeChunk } from './export/range-split.ts';
export { PROMETHEUS_MAX_POINTS_PER_SERIES, splitRange } from './export/range-split.ts';
export type { SourceAuth } from './export/source-client.ts';
export { redactUrl } from './export/source-client.ts';
export { formatTime, parseDuration, parseTime } from './export/time.ts';
export type {
  ExpositionFamily,
  ExpositionProblem,
  ExpositionSample,
  ParsedExposition,
} from './lint/exposition-parser.ts';
export { parseExposition } from './lint/exposition-parser.ts';
export type { LintFinding, LintOptions, LintSeverity } from './lint/lint-rules.ts';
export { lintExposition } from './lint/lint-rules.ts';
export type { ScrapeConfigFile, ScrapeTarget } from './scrape-config/scrape-configs.ts';
export {
  podMonitor,
  prometheusScrapeConfig,
  serviceMonitor,
  vmagentScrapeConfig,
} from './scrape-config/scrape-configs.ts';
