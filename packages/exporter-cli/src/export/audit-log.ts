/**
 * The audit log: one JSON line per status change of every export (pending, in_progress, completed | failed),
 * appended to a file created with mode 0600. Records never hold credentials (see `ExportRecord`).
 */
import { appendFileSync } from 'node:fs';
import { CliError } from '../errors.ts';
import type { ExportRecord } from './export-record.ts';

/** Appends `record` as one JSON line to `path`, creating it with mode 0600. */
export function appendAuditRecord(path: string, record: ExportRecord): void {
  try {
    appendFileSync(path, JSON.stringify(record) + '\n', { mode: 0o600 });
  } catch (error) {
    throw new CliError('OUTPUT_WRITE', `--audit-log ${path}: cannot append: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
