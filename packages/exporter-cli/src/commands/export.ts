/**
 * `yardstick export`: history from any Prometheus-compatible API to CSV, JSON or Parquet.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { type ExportQuery, runExport } from '../export/export-run.ts';
import { type LabelFilter, parseFilter, rewriteQueryWithFilters } from '../export/filter-rewrite.ts';
import { createProgressBar } from '../export/progress-bar.ts';
import { PROMETHEUS_MAX_POINTS_PER_SERIES } from '../export/range-split.ts';
import type { SourceAuth } from '../export/source-client.ts';
import { formatTime, parseDuration, parseTime } from '../export/time.ts';

/** `yardstick export --help`. */
export const EXPORT_HELP = `Usage: yardstick export --source URL (--query EXPR | --metric NAME)... [--filter key=value]...
                        --start T --end T --step D --format csv|json|parquet --out FILE [options]

Exports the history of PromQL queries from Prometheus, VictoriaMetrics, Mimir or yardstick's embedded /api/v1.

  --source URL          base URL of the Prometheus HTTP API (e.g. http://127.0.0.1:9090)
  --query EXPR          PromQL expression to export (repeatable)
  --metric NAME         export a metric's raw series; same as --query NAME (repeatable)
  --filter K=V          add a matcher to every selector of every query; also K!=V, K=~RE, K!~RE (repeatable)
  --start T, --end T    RFC 3339 (2026-01-31T00:00:00Z), Unix seconds, now, or relative (-90d, -1h)
  --step D              resolution: 15s, 5m, 1h, or seconds
  --format F            csv | json | parquet
  --out FILE            output file, written atomically (mode 0600); never left partial
  --requested-by WHO    who asked for the export (default: the OS user), recorded in the metadata
  --timeout D           total time allowed (default 30m, at most 1d)
  --concurrency N       requests in flight, 1-16 (default 4)
  --max-points N        points per series per request, 1-11000 (default 11000, Prometheus's limit)
  --basic-auth U:P      basic auth (or env YARDSTICK_SOURCE_BASIC_AUTH)
  --bearer-token T      bearer token (or env YARDSTICK_SOURCE_BEARER_TOKEN)
  --audit-log FILE      append the export record (JSON lines, mode 0600) at every status change

Ranges are limited to 365 days. CSV columns: timestamp (RFC 3339 UTC, ms), metric, one column per label
(sorted), value. Exit codes: 0 done, 1 export failed, 2 bad arguments.

Examples:
  yardstick export --source http://127.0.0.1:9090 --metric http_server_request_duration_seconds_count \\
    --filter service=checkout --start -90d --end now --step 5m --format parquet --out checkout.parquet
  yardstick export --source http://127.0.0.1:9464 \\
    --query 'sum by (http_route) (rate(http_server_request_duration_seconds_count[5m]))' \\
    --start -1h --end now --step 1m --format csv --out routes.csv
`;

const SPEC = {
  source: { type: 'string' },
  query: { type: 'string', multiple: true },
  metric: { type: 'string', multiple: true },
  filter: { type: 'string', multiple: true },
  start: { type: 'string' },
  end: { type: 'string' },
  step: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'requested-by': { type: 'string' },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'max-points': { type: 'string' },
  'basic-auth': { type: 'string' },
  'bearer-token': { type: 'string' },
  'audit-log': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MAX_RANGE_MS = 365 * 86_400_000;
/** Longest `--timeout`: a day, well inside what a timer can hold. */
const MAX_TIMEOUT_MS = 86_400_000;

const required = (flag: string) => ({ error: `required (e.g. ${flag})` });

const ExportFlags = z
  .object({
    source: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    query: z.array(z.string().trim().min(1, 'must not be empty')).default([]),
    metric: z.array(z.string().regex(METRIC_NAME, 'is not a valid metric name')).default([]),
    filter: z.array(z.string()).default([]),
    start: z.string(required('--start -90d')),
    end: z.string(required('--end now')),
    step: z.string(required('--step 5m')),
    format: z.enum(['csv', 'json', 'parquet'], { error: 'must be csv, json or parquet' }),
    out: z.string(required('--out export.csv')).min(1),
    'requested-by': z.string().min(1).optional(),
    timeout: z.string().default('30m'),
    concurrency: z.coerce.number().int().min(1).max(16).default(4),
    'max-points': z.coerce.number().int().min(1).max(PROMETHEUS_MAX_POINTS_PER_SERIES).optional(),
    'basic-auth': z
      .string()
      .regex(/^[^:]+:/, 'must be user:password')
      .optional(),
    'bearer-token': z.string().min(1).optional(),
    'audit-log': z.string().min(1).optional(),
  })
  .refine((f) => f.query.length + f.metric.length > 0, {
    path: ['query'],
    message: 'give --query or --metric',
  })
  .refine((f) => !(f['basic-auth'] && f['bearer-token']), {
    path: ['basic-auth'],
    message: 'use either --basic-auth or --bearer-token, not both',
  });

function sourceAuth(flags: z.infer<typeof ExportFlags>, env: CliIo['env']): SourceAuth | undefined {
  const basic = flags['basic-auth'] ?? env.YARDSTICK_SOURCE_BASIC_AUTH;
  const bearer = flags['bearer-token'] ?? env.YARDSTICK_SOURCE_BEARER_TOKEN;
  if (bearer) return { kind: 'bearer', token: bearer };
  if (basic) {
    const colon = basic.indexOf(':');
    if (colon < 1)
      throw new CliError('USAGE', 'yardstick export: YARDSTICK_SOURCE_BASIC_AUTH must be user:password');
    return { kind: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  return undefined;
}

/** Runs `yardstick export`; returns the exit code. */
export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('export', argv, SPEC);
  if (values.help) {
    io.stdout.write(EXPORT_HELP);
    return 0;
  }
  const flags = validateFlags('export', ExportFlags, values);
  const now = io.now();
  const start = parseTime(flags.start, '--start', now);
  const end = parseTime(flags.end, '--end', now);
  const step = parseDuration(flags.step, '--step');
  const timeoutMs = parseDuration(flags.timeout, '--timeout');
  if (step <= 0) throw new CliError('INVALID_DURATION', '--step: must be greater than 0');
  if (timeoutMs <= 0) throw new CliError('INVALID_DURATION', '--timeout: must be greater than 0');
  // AbortSignal.timeout holds its delay in a timer: past 2^31-1 ms it fires after 1 ms, past 2^32-1 it throws.
  if (timeoutMs > MAX_TIMEOUT_MS) throw new CliError('INVALID_DURATION', '--timeout: must be at most 1d');
  if (start >= end) {
    throw new CliError(
      'INVALID_TIME',
      `--start ${formatTime(start)} must be before --end ${formatTime(end)}`,
    );
  }
  if (end - start > MAX_RANGE_MS) {
    const days = Math.ceil((end - start) / 86_400_000);
    throw new CliError(
      'INVALID_TIME',
      `--start/--end: range is ${days} days; exports are limited to 365 days`,
    );
  }
  const filters: LabelFilter[] = flags.filter.map(parseFilter);
  const queries: ExportQuery[] = [...flags.metric, ...flags.query].map((original) => ({
    original,
    rewritten: rewriteQueryWithFilters(original, filters),
  }));
  const progress = io.stderr.isTTY ? createProgressBar(io.stderr) : undefined;
  const summary = await runExport({
    source: flags.source,
    auth: sourceAuth(flags, io.env),
    queries,
    filters: flags.filter,
    start,
    end,
    step,
    format: flags.format,
    out: resolve(flags.out),
    requestedBy: flags['requested-by'],
    timeoutMs,
    concurrency: flags.concurrency,
    auditLog: flags['audit-log'],
    signal: io.signal,
    ...(flags['max-points'] === undefined ? {} : { maxPointsPerRequest: flags['max-points'] }),
    onProgress: progress?.update,
  }).finally(() => progress?.done());
  const { record } = summary;
  io.stderr.write(
    `exported ${summary.points} points in ${summary.chunks} chunks to ${record.out} ` +
      `(${record.file_size_bytes} bytes, export_id ${record.export_id})\n`,
  );
  return 0;
}
