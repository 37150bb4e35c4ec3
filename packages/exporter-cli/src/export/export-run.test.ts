import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { type FakePrometheus, fakeValue, startFakePrometheus } from '../testing/fake-prometheus.ts';
import { type ExportOptions, runExport } from './export-run.ts';

const START = Date.parse('2026-01-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'yardstick-export-run-'));
let fake: FakePrometheus;

beforeAll(async () => {
  fake = await startFakePrometheus([
    { __name__: 'up', job: 'a' },
    { __name__: 'up', job: 'b', zone: 'z1' },
  ]);
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function options(overrides: Partial<ExportOptions>): ExportOptions {
  return {
    source: fake.url,
    queries: [{ original: 'up', rewritten: 'up' }],
    filters: [],
    start: START,
    end: START + 3_600_000,
    step: 60_000,
    format: 'csv',
    out: join(dir, 'out.csv'),
    timeoutMs: 10_000,
    concurrency: 3,
    retryDelayMs: 5,
    ...overrides,
  };
}

describe('runExport', () => {
  it('splits the range into requests under the point limit and writes every point once, in time order', async () => {
    fake.requests.length = 0;
    const out = join(dir, 'split.csv');
    const summary = await runExport(options({ out, maxPointsPerRequest: 7 }));
    expect(summary.chunks).toBe(9);
    expect(summary.points).toBe(2 * 61);
    const rangeRequests = fake.requests.filter((r) => r.has('query'));
    expect(rangeRequests).toHaveLength(9);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,metric,job,zone,value');
    const times = lines.slice(1).map((l) => Date.parse(l.split(',')[0]!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const line of lines.slice(1)) {
      const [timestamp, , job, , value] = line.split(',');
      expect(Number(value)).toBe(fakeValue(Date.parse(timestamp!) / 1000, job === 'a' ? 0 : 1));
    }
  });

  it('shrinks requests by the number of series so each stays within the points budget', async () => {
    fake.requests.length = 0;
    const summary = await runExport(
      options({ out: join(dir, 'budget.json'), format: 'json', pointsPerRequest: 10 }),
    );
    expect(summary.chunks).toBe(13);
    expect(summary.points).toBe(2 * 61);
    const steps = fake.requests
      .filter((r) => r.has('query'))
      .map((r) => (Number(r.get('end')) - Number(r.get('start'))) / 60 + 1);
    expect(Math.max(...steps)).toBe(5);
  });

  it('retries 5xx answers and then succeeds', async () => {
    fake.failNext(2);
    const summary = await runExport(options({ out: join(dir, 'retried.json'), format: 'json' }));
    expect(summary.record.status).toBe('completed');
  });

  it('gives up after the retries, leaves no file and audits the failure without credentials', async () => {
    fake.failNext(100);
    const out = join(dir, 'failed.csv');
    const audit = join(dir, 'audit.jsonl');
    const source = fake.url.replace('http://', 'http://alice:s3cret@');
    const run = runExport(options({ out, source, auditLog: audit, retries: 2, format: 'parquet' }));
    await expect(run).rejects.toThrow(/answered 503.*gave up after 3 attempts/);
    fake.failNext(0);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const text = readFileSync(audit, 'utf8');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('alice');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.status)).toEqual(['pending', 'in_progress', 'failed']);
    expect(records[2].error).toMatch(/503/);
  });

  it('sends basic auth from the URL or the options, and bearer tokens', async () => {
    fake.authorizations.length = 0;
    const source = fake.url.replace('http://', 'http://alice:s3cret@');
    await runExport(options({ source, out: join(dir, 'auth1.json'), format: 'json' }));
    await runExport(
      options({ auth: { kind: 'bearer', token: 'tok' }, out: join(dir, 'auth2.json'), format: 'json' }),
    );
    expect(fake.authorizations).toContain(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    expect(fake.authorizations).toContain('Bearer tok');
  });

  it('reports an abort as EXPORT_ABORTED and leaves nothing behind', async () => {
    const controller = new AbortController();
    controller.abort(new Error('received SIGINT'));
    const out = join(dir, 'aborted.csv');
    const error = await runExport(options({ out, signal: controller.signal })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('EXPORT_ABORTED');
    expect(existsSync(out)).toBe(false);
  });

  it('keeps at most `concurrency` requests in flight however many chunks there are', async () => {
    fake.delay(20);
    const summary = await runExport(
      options({ out: join(dir, 'bounded.csv'), maxPointsPerRequest: 5, concurrency: 2 }),
    );
    fake.delay(0);
    expect(summary.chunks).toBe(13);
    expect(fake.maxInFlight()).toBe(2);
  });

  it('stops at the total timeout with EXPORT_TIMEOUT and no file', async () => {
    fake.delay(Number.POSITIVE_INFINITY);
    const out = join(dir, 'slow.json');
    const error = await runExport(options({ out, format: 'json', timeoutMs: 300 })).catch((e: unknown) => e);
    fake.delay(0);
    expect((error as CliError).code).toBe('EXPORT_TIMEOUT');
    expect((error as CliError).message).toBe('export timed out after 0.3s (--timeout)');
    expect(existsSync(out)).toBe(false);
  });

  it('names nameless results after their query in the metric column', async () => {
    const out = join(dir, 'sum.csv');
    await runExport(options({ out, queries: [{ original: 'sum(up)', rewritten: 'sum(up)' }] }));
    const [header, first] = readFileSync(out, 'utf8').split('\n');
    expect(header).toBe('timestamp,metric,value');
    expect(first).toMatch(/^2026-01-01T00:00:00.000Z,sum\(up\),/);
  });
});
