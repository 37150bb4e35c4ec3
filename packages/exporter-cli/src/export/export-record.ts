/**
 * The export record: the metadata that heads a JSON export, goes into a Parquet footer and is appended to the
 * audit log at every status change. It never holds credentials: the source URL is shown without userinfo.
 */

/** Where an export is in its life. */
export type ExportStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

/** Output formats of `yardstick export`. */
export type ExportFormat = 'csv' | 'json' | 'parquet';

/** The metadata of one export run. */
export interface ExportRecord {
  /** Random UUID identifying the run across the file and the audit log. */
  readonly export_id: string;
  /** RFC 3339 time the export was asked for. */
  readonly requested_at: string;
  /** `--requested-by`, else the OS user name. */
  readonly requested_by: string;
  /** Source base URL without credentials. */
  readonly source: string;
  /** The queries as given (before `--filter` rewriting). */
  readonly queries: readonly string[];
  /** The `--filter` values as given. */
  readonly filters: readonly string[];
  /** RFC 3339, first step. */
  readonly start: string;
  /** RFC 3339, end of the range as resolved. */
  readonly end: string;
  /** Step in seconds. */
  readonly step: number;
  readonly format: ExportFormat;
  /** The output path. */
  readonly out: string;
  status: ExportStatus;
  /** RFC 3339, set when completed or failed. */
  completed_at?: string;
  /** Size of the output file, set when completed. */
  file_size_bytes?: number;
  /** Points written, set when completed. */
  points?: number;
  /** Why it failed, set when failed. */
  error?: string;
}
