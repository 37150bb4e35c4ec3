/**
 * One export run: resolve label columns, fetch the range chunk by chunk with bounded concurrency, write chunks
 * strictly in time order into an atomic temp file, and record the run's life in the audit log.
 *
 * Memory: chunk k is written as soon as chunks < k are written, and a chunk is fetched only when it is fewer
 * than `concurrency` chunks ahead of the next one to write, so at most `concurrency` chunks are held however
 * long the range is.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { CliError } from '../errors.ts';
import { AtomicFile } from './atomic-file.ts';
import { appendAuditRecord } from './audit-log.ts';
import { type ChunkData, type ChunkSeries, toChunkSeries } from './chunk-rows.ts';
import { createCsvWriter } from './csv-writer.ts';
import type { ExportFormat, ExportRecord } from './export-record.ts';
import { isPlainSelector } from './filter-rewrite.ts';
import type { FormatWriter } from './format-writer.ts';
import { createJsonWriter } from './json-writer.ts';
import { createParquetWriter } from './parquet-writer.ts';
import { PROMETHEUS_MAX_POINTS_PER_SERIES, type RangeChunk, splitRange } from './range-split.ts';
import { createSourceClient, redactUrl, type SourceAuth, type SourceClient } from './source-client.ts';
import { formatTime } from './time.ts';

/** One query of the export: as the user wrote it, and with `--filter` matchers added. */
export interface ExportQuery {
  readonly original: string;
  readonly rewritten: string;
}

/** Everything an export needs; times in Unix ms. */
export interface ExportOptions {
  readonly source: string;
  readonly auth?: SourceAuth | undefined;
  readonly queries: readonly ExportQuery[];
  readonly filters: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly format: ExportFormat;
  readonly out: string;
  readonly requestedBy?: string | undefined;
  /** The run's id when the caller tracks the export under its own (a UUID); a random UUID otherwise. */
  readonly exportId?: string | undefined;
  /** Total time allowed, ms. */
  readonly timeoutMs: number;
  /** Chunks fetched at once (>= 1). */
  readonly concurrency: number;
  readonly auditLog?: string | undefined;
  /** Points per series per request (default 11,000, Prometheus's limit). */
  readonly maxPointsPerRequest?: number;
  /**
   * Points over all series per request when the series count is known (plain selectors): default 1,000,000.
   * Bounds memory at about `concurrency` times this.
   */
  readonly pointsPerRequest?: number;
  /** Retries per request on 5xx/network errors (default 4). */
  readonly retries?: number;
  /** Delay before the first retry in ms, doubled each retry (default 200). */
  readonly retryDelayMs?: number;
  /** Aborts the export (SIGINT/SIGTERM); the reason becomes the error. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each chunk is written. */
  readonly onProgress?: ((written: number, total: number) => void) | undefined;
}

/** What a completed export produced. */
export interface ExportSummary {
  readonly record: ExportRecord;
  readonly chunks: number;
  readonly points: number;
}

// A series' last sample counts for up to 5 minutes (Prometheus's default lookback), so the series lookup starts
// that much earlier than the range to find every series the range query can return.
const LOOKBACK_MS = 5 * 60_000;

/**
 * Default points (over all series) one request may return when the series count is known: 20 series x 11,000
 * steps fit, 10,000 series get 100 steps per request.
 */
const POINTS_PER_REQUEST = 1_000_000;

/**
 * Fetches every chunk in order with at most `concurrency` in flight, calling `consume` for chunk k only after
 * chunks < k. Stops fetching at the first failure.
 */
async function forEachChunkInOrder(
  chunks: readonly RangeChunk[],
  concurrency: number,
  fetchChunk: (chunk: RangeChunk) => Promise<ChunkSeries[]>,
  consume: (chunk: RangeChunk, series: ChunkSeries[]) => void,
): Promise<void> {
  const inFlight = new Map<number, Promise<ChunkSeries[]>>();
  let next = 0;
  for (const chunk of chunks) {
    while (next < chunks.length && next < chunk.index + concurrency) {
      const promise = fetchChunk(chunks[next]!);
      // Marks the rejection handled; it is still thrown where the chunk's turn awaits it.
      promise.catch(() => {});
      inFlight.set(next, promise);
      next++;
    }
    const series = await inFlight.get(chunk.index)!;
    inFlight.delete(chunk.index);
    consume(chunk, series);
  }
}

/**
 * For exports of plain selectors only: the stored series they select over the range (plus the lookback), from
 * `/api/v1/series`, which is cheap. A plain selector returns exactly these series, so they give the CSV label
 * columns and the series count that sizes the chunks. `undefined` for expressions.
 */
async function lookUpSeries(
  client: SourceClient,
  options: ExportOptions,
): Promise<Record<string, string>[] | undefined> {
  if (!options.queries.every((q) => isPlainSelector(q.rewritten))) return undefined;
  const all: Record<string, string>[] = [];
  for (const query of options.queries) {
    for (const labels of await client.series(query.rewritten, options.start - LOOKBACK_MS, options.end)) {
      all.push(labels);
    }
  }
  return all;
}

async function labelNamesForCsv(
  knownSeries: readonly Record<string, string>[] | undefined,
  options: ExportOptions,
  chunks: readonly RangeChunk[],
  fetchChunk: (chunk: RangeChunk) => Promise<ChunkSeries[]>,
): Promise<Set<string>> {
  const names = new Set<string>();
  if (knownSeries) {
    for (const labels of knownSeries) for (const name of Object.keys(labels)) names.add(name);
    return names;
  }
  // An expression's result labels are only known by evaluating it: a first pass that keeps label names only.
  await forEachChunkInOrder(chunks, options.concurrency, fetchChunk, (_chunk, series) => {
    for (const s of series) for (const name of Object.keys(s.labels)) names.add(name);
  });
  return names;
}

/** The OS user running the export; containers without a passwd entry make `userInfo()` throw. */
function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs an export to completion. On any failure, timeout or abort the temp file is removed, nothing is left at
 * `out`, the audit log gets a `failed` record, and the error is thrown (a {@link CliError}).
 */
export async function runExport(options: ExportOptions): Promise<ExportSummary> {
  const record: ExportRecord = {
    export_id: options.exportId ?? randomUUID(),
    requested_at: formatTime(Date.now()),
    requested_by: options.requestedBy ?? osUserName(),
    source: redactUrl(options.source),
    queries: options.queries.map((q) => q.original),
    filters: options.filters,
    start: formatTime(options.start),
    end: formatTime(options.end),
    step: options.step / 1000,
    format: options.format,
    out: options.out,
    status: 'pending',
  };
  const audit = (): void => {
    if (options.auditLog) appendAuditRecord(options.auditLog, record);
  };
  audit();

  const timeout = AbortSignal.timeout(options.timeoutMs);
  const failFast = new AbortController();
  const signal = AbortSignal.any([timeout, failFast.signal, ...(options.signal ? [options.signal] : [])]);
  const client = createSourceClient({
    baseUrl: options.source,
    auth: options.auth,
    signal,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
  const fetchChunk = async (chunk: RangeChunk): Promise<ChunkSeries[]> => {
    try {
      const series: ChunkSeries[] = [];
      for (const query of options.queries) {
        const result = await client.queryRange(query.rewritten, chunk.start, chunk.end, options.step);
        // A loop, not push(...spread): an answer can hold more series than a call can take arguments.
        for (const one of toChunkSeries(result, query.original)) series.push(one);
      }
      return series;
    } catch (error) {
      // One failed chunk dooms the export: stop the chunks already in flight too.
      failFast.abort(error);
      throw error;
    }
  };

  let file: AtomicFile | undefined;
  let chunks: RangeChunk[] = [];
  try {
    record.status = 'in_progress';
    audit();
    const knownSeries = await lookUpSeries(client, options);
    // Memory and the source's per-query sample limit both scale with series x points per request, so with
    // a known series count each request is kept to about `pointsPerRequest` points in all.
    let maxPoints = options.maxPointsPerRequest ?? PROMETHEUS_MAX_POINTS_PER_SERIES;
    if (knownSeries && knownSeries.length > 0) {
      const perRequest = options.pointsPerRequest ?? POINTS_PER_REQUEST;
      maxPoints = Math.min(maxPoints, Math.max(1, Math.floor(perRequest / knownSeries.length)));
    }
    chunks = splitRange(options.start, options.end, options.step, maxPoints);
    let writer: FormatWriter;
    if (options.format === 'csv') {
      const names = await labelNamesForCsv(knownSeries, options, chunks, fetchChunk);
      file = new AtomicFile(options.out);
      writer = createCsvWriter(file, names);
    } else {
      file = new AtomicFile(options.out);
      writer = options.format === 'json' ? createJsonWriter(file, record) : createParquetWriter(file, record);
    }
    let points = 0;
    await forEachChunkInOrder(chunks, options.concurrency, fetchChunk, (chunk, series) => {
      points += writer.writeChunk({ chunk, step: options.step, series } satisfies ChunkData);
      options.onProgress?.(chunk.index + 1, chunks.length);
    });
    record.status = 'completed';
    record.completed_at = formatTime(Date.now());
    record.points = points;
    writer.finish();
    record.file_size_bytes = file.commit();
    audit();
    return { record, chunks: chunks.length, points };
  } catch (caught) {
    // Whatever failed (a request, a write), stop the requests still in flight.
    if (!failFast.signal.aborted) failFast.abort(caught);
    file?.discard();
    let error: unknown = caught;
    if (timeout.aborted) {
      error = new CliError(
        'EXPORT_TIMEOUT',
        `export timed out after ${options.timeoutMs / 1000}s (--timeout)`,
        {
          cause: caught,
        },
      );
    } else if (options.signal?.aborted) {
      error = new CliError('EXPORT_ABORTED', `export aborted: ${errorMessage(options.signal.reason)}`, {
        cause: caught,
      });
    } else if (failFast.signal.aborted && !(caught instanceof CliError)) {
      error = failFast.signal.reason;
    }
    record.status = 'failed';
    record.completed_at = formatTime(Date.now());
    record.error = errorMessage(error);
    delete record.file_size_bytes;
    delete record.points;
    audit();
    throw error instanceof CliError
      ? error
      : new CliError('SOURCE_REQUEST', errorMessage(error), { cause: error });
  }
}
