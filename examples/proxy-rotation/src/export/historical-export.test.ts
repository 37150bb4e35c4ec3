import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createHistoricalExport,
  type HistoricalExport,
  type HistoricalExportRequest,
  runHistoricalExport,
} from './historical-export.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const end = new Date('2026-06-01T00:00:00Z');

/** The spec's own example request. */
const request: HistoricalExportRequest = {
  requested_by: 'analyst@company.com',
  metric_names: ['proxywhirl_requests_total', 'proxywhirl_request_duration_seconds_bucket'],
  start_time: new Date(end.getTime() - 90 * DAY),
  end_time: end,
  format: 'csv',
  filters: { pool: 'us-east-1' },
  output_path: join(dir, 'proxywhirl_metrics_90days.csv'),
};

function problems(change: Partial<HistoricalExportRequest>): string {
  try {
    createHistoricalExport({ ...request, ...change });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the request to be refused');
}

describe('HistoricalExport', () => {
  it('creates a pending export with a UUID and the request time', () => {
    const before = Date.now();
    const exp = createHistoricalExport(request);
    expect(exp.export_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(exp.requested_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(exp).toMatchObject({
      status: 'pending',
      completed_at: undefined,
      error_message: undefined,
      file_size_bytes: undefined,
      filters: { pool: 'us-east-1' },
    });
    expect(
      createHistoricalExport({
        ...request,
        start_time: '2026-05-01T00:00:00Z',
        end_time: '2026-05-08T00:00:00+00:00',
      }).end_time,
    ).toEqual(new Date('2026-05-08T00:00:00Z'));
  });

  it.each([
    [{ requested_by: 'ab' }, 'requested_by: must be at least 3 characters'],
    [{ metric_names: [] }, 'metric_names: needs at least 1 metric'],
    [
      { metric_names: Array.from({ length: 51 }, (_, i) => `m${i}`) },
      'metric_names: allows at most 50 metrics',
    ],
    [{ metric_names: ['proxywhirl requests'] }, 'metric_names.0: must be a Prometheus metric name'],
    [{ start_time: end }, 'end_time: must be after start_time'],
    [{ start_time: new Date(end.getTime() + DAY) }, 'end_time: must be after start_time'],
    [
      { start_time: new Date(end.getTime() - 366 * DAY) },
      'end_time: must be at most 365 days after start_time (366 days asked)',
    ],
    [{ format: 'xlsx' as 'csv' }, 'format:'],
    [
      { filters: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}`, 'x'])) },
      'filters: allows at most 10 filters, got 11',
    ],
    [{ filters: { 'pool-name': 'x' } }, 'filters.pool-name: is not a valid label name'],
    [{ filters: { __name__: 'x' } }, 'filters.__name__: is not a valid label name'],
    [{ output_path: join(dir, 'missing', 'out.csv') }, 'output_path: directory'],
    [{ export_id: 'not-a-uuid' }, 'export_id: must be a UUID'],
  ])('refuses %o', (change, expected) => {
    expect(problems(change)).toContain(expected);
  });

  it('accepts exactly 365 days and 10 filters', () => {
    const exp = createHistoricalExport({
      ...request,
      start_time: new Date(end.getTime() - 365 * DAY),
      filters: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`l${i}`, 'x'])),
    });
    expect(exp.status).toBe('pending');
  });

  it('fails cleanly when the source is unreachable: failed with a message, no file, no temp file', async () => {
    const statuses: string[] = [];
    const done: HistoricalExport = await runHistoricalExport(createHistoricalExport(request), {
      source: 'http://127.0.0.1:1',
      timeoutMs: 5_000,
      onStatus: (e) => statuses.push(e.status),
    });
    expect(statuses).toEqual(['in_progress', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.error_message).toBeTruthy();
    expect(done.completed_at).toBeInstanceOf(Date);
    expect(done.file_size_bytes).toBeUndefined();
    expect(existsSync(request.output_path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('runs an export only once', async () => {
    const done = await runHistoricalExport(createHistoricalExport(request), {
      source: 'http://127.0.0.1:1',
      timeoutMs: 2_000,
    });
    await expect(runHistoricalExport(done, { source: 'http://127.0.0.1:1' })).rejects.toThrow(
      /is failed, not pending/,
    );
  });
});
