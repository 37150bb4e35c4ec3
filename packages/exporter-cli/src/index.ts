/**
 * `@yardstick/exporter-cli`: the `yardstick` command line, and the library functions behind its verbs.
 * @packageDocumentation
 */

export { runCli } from './cli.ts';
export type { CliIo } from './cli-io.ts';
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
