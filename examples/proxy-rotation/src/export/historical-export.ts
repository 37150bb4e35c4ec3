/**
 * `HistoricalExport` of ProxyWhirl's data model (seed 003; seed 000 T073–T098): the export request with its
 * validation, and {@link runHistoricalExport}, which runs it through `@yardstick/exporter-cli`'s exporter
 * (chunked range queries against any Prometheus-compatible API, filters added to every selector, files
 * written to a temp file and renamed, mode 0600) and moves it pending → in_progress → completed | failed.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type ExportQuery,
  isValidLabelName,
  parseFilter,
  rewriteQueryWithFilters,
  runExport,
  type SourceAuth,
} from '@yardstick/exporter-cli';
import type { Logger } from '@yardstick/sdk';
import { z } from 'zod';
import { metricNameProblem } from '../metrics/metric-references.ts';
import type { ProxyMetricRegistry } from '../metrics/proxy-metric-registry.ts';

/** The spec's limit on an export's time range. */
export const MAX_EXPORT_RANGE_MS = 365 * 86_400_000;

/** The spec's `ExportFormat`. */
export const EXPORT_FORMATS = ['csv', 'json', 'parquet'] as const;

/** The spec's `ExportStatus`. */
export type ExportStatus = 'pending' | 'in_progress' | 'completed' | 'failed';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const timeSchema = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((t) => new Date(t));

function writableDirectory(path: string): string | undefined {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
  } catch (error) {
    return `directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return undefined;
}

/** The fields a caller gives; id, request time and status are filled in. */
export const historicalExportRequestSchema = z
  .strictObject({
    export_id: z.uuid({ error: 'must be a UUID' }).optional(),
    requested_at: timeSchema.optional(),
    requested_by: z.string().min(3, { error: 'must be at least 3 characters' }),
    metric_names: z
      .array(z.string().regex(METRIC_NAME, { error: 'must be a Prometheus metric name' }))
      .min(1, { error: 'needs at least 1 metric' })
      .max(50, { error: 'allows at most 50 metrics' }),
    start_time: timeSchema,
    end_time: timeSchema,
    format: z.enum(EXPORT_FORMATS),
    filters: z
      .record(z.string(), z.string())
      .superRefine((filters, ctx) => {
        const keys = Object.keys(filters);
        if (keys.length > 10)
          ctx.addIssue({ code: 'custom', message: `allows at most 10 filters, got ${keys.length}` });
        for (const key of keys) {
          if (!isValidLabelName(key) || key.startsWith('__')) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)',
            });
          }
        }
      })
      .default({}),
    output_path: z.string().min(1, { error: 'must be a file path' }),
  })
  .superRefine((request, ctx) => {
    const span = request.end_time.getTime() - request.start_time.getTime();
    if (!(span > 0)) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'must be after start_time' });
    } else if (span > MAX_EXPORT_RANGE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['end_time'],
        message: `must be at most 365 days after start_time (${Math.ceil(span / 86_400_000)} days asked)`,
      });
    }
    const problem = writableDirectory(request.output_path);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['output_path'], message: problem });
  });

/** An export request as written. */
export type HistoricalExportRequest = z.input<typeof historicalExportRequestSchema>;

/** An export and where it is in its life (the spec's fields, times as `Date`). */
export interface HistoricalExport {
  readonly export_id: string;
  readonly requested_at: Date;
  readonly requested_by: string;
  readonly metric_names: readonly string[];
  readonly start_time: Date;
  readonly end_time: Date;
  readonly format: (typeof EXPORT_FORMATS)[number];
  readonly filters: Readonly<Record<string, string>>;
  readonly output_path: string;
  readonly status: ExportStatus;
  readonly completed_at: Date | undefined;
  readonly error_message: string | undefined;
  readonly file_size_bytes: number | undefined;
}

/** A request that breaks a rule of the spec; each problem as `field: message`. */
export class HistoricalExportError extends Error {
  readonly code = 'EXPORT_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HistoricalExportError';
  }
}

/** Options of {@link createHistoricalExport}. */
export interface CreateHistoricalExportOptions {
  /**
   * The service's ProxyMetrics: when given, every metric name must be one of them or a series of one
   * (`_bucket`, `_sum`, `_count` of a histogram), seed 003 cross-entity rule 3.
   */
  readonly metrics?: ProxyMetricRegistry;
}

/**
 * Validates a request into a pending export.
 *
 * @throws HistoricalExportError listing every problem as `field: message`
 */
export function createHistoricalExport(
  request: HistoricalExportRequest,
  options: CreateHistoricalExportOptions = {},
): HistoricalExport {
  const registry = options.metrics;
  const schema =
    registry === undefined
      ? historicalExportRequestSchema
      : historicalExportRequestSchema.superRefine((r, ctx) => {
          r.metric_names.forEach((name, index) => {
            const problem = metricNameProblem(name, registry);
            if (problem !== undefined)
              ctx.addIssue({ code: 'custom', path: ['metric_names', index], message: problem });
          });
        });
  const parsed = schema.safeParse(request);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || 'request'}: ${i.message}`,
    );
    throw new HistoricalExportError(lines.join('\n'), { cause: parsed.error });
  }
  const r = parsed.data;
  return {
    export_id: r.export_id ?? randomUUID(),
    requested_at: r.requested_at ?? new Date(),
    requested_by: r.requested_by,
    metric_names: r.metric_names,
    start_time: r.start_time,
    end_time: r.end_time,
    format: r.format,
    filters: r.filters,
    output_path: r.output_path,
    status: 'pending',
    completed_at: undefined,
    error_message: undefined,
    file_size_bytes: undefined,
  };
}

/** Where and how to run an export. */
export interface RunHistoricalExportOptions {
  /** Base URL of a Prometheus-compatible query API (Prometheus, VictoriaMetrics, yardstick's server). */
  readonly source: string;
  readonly auth?: SourceAuth;
  /** Resolution of the exported series; default 5 minutes. */
  readonly stepMs?: number;
  /** Longest the whole export may take (T086); default 10 minutes. */
  readonly timeoutMs?: number;
  /** Range requests in flight at once; default 2. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Lifecycle log (T098): one line per status with `export_id`. */
  readonly logger?: Logger;
  /** Called with the export at each status change. */
  readonly onStatus?: (exp: HistoricalExport) => void;
}

/**
 * Runs a pending export to its end. Never throws for a failed export: the returned export is `failed`
 * with `error_message`, and nothing is left at `output_path` (no partial file).
 *
 * @example
 * ```ts
 * const done = await runHistoricalExport(createHistoricalExport({
 *   requested_by: 'analyst@example.com', metric_names: ['proxywhirl_requests_total'],
 *   start_time: new Date(Date.now() - 90 * 86_400_000), end_time: new Date(), format: 'csv',
 *   filters: { pool: 'residential' }, output_path: '/exports/proxywhirl-90d.csv',
 * }), { source: 'http://prometheus:9090' });
 * ```
 */
export async function runHistoricalExport(
  pending: HistoricalExport,
  options: RunHistoricalExportOptions,
): Promise<HistoricalExport> {
  let current = pending;
  const move = (next: Partial<HistoricalExport>): void => {
    current = { ...current, ...next };
    const context = { export_id: current.export_id, status: current.status, format: current.format };
    if (current.status === 'failed')
      options.logger?.error({ ...context, error: current.error_message }, 'export failed');
    else options.logger?.info(context, `export ${current.status}`);
    options.onStatus?.(current);
  };
  if (pending.status !== 'pending') {
    throw new HistoricalExportError(`export ${pending.export_id} is ${pending.status}, not pending`);
  }
  move({ status: 'in_progress' });
  try {
    const filters = Object.entries(pending.filters).map(([label, value]) => `${label}=${value}`);
    const parsedFilters = filters.map(parseFilter);
    const queries: ExportQuery[] = pending.metric_names.map((name) => ({
      original: name,
      rewritten: rewriteQueryWithFilters(name, parsedFilters),
    }));
    const summary = await runExport({
      source: options.source,
      auth: options.auth,
      queries,
      filters,
      start: pending.start_time.getTime(),
      end: pending.end_time.getTime(),
      step: options.stepMs ?? 300_000,
      format: pending.format,
      out: pending.output_path,
      requestedBy: pending.requested_by,
      exportId: pending.export_id,
      timeoutMs: options.timeoutMs ?? 600_000,
      concurrency: options.concurrency ?? 2,
      signal: options.signal,
    });
    move({
      status: 'completed',
      completed_at: new Date(),
      file_size_bytes: summary.record.file_size_bytes ?? 0,
    });
  } catch (error) {
    move({
      status: 'failed',
      completed_at: new Date(),
      error_message: error instanceof Error ? error.message : String(error),
    });
  }
  return current;
}
