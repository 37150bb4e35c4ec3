/**
 * `yardstick export` against a real Prometheus 2.42: 90 days of backfilled data (promtool), exported to CSV,
 * JSON and Parquet and compared with Prometheus's own /api/v1/query_range answers; filters; the 365-day guard;
 * and no partial file when Prometheus dies or the CLI gets SIGTERM mid-export.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureCli, spawnCli } from './support/cli-io.ts';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const prometheus = peer('prometheus');
const promtool = peer('promtool');
const skipReason = prometheus.skipReason ?? promtool.skipReason;

const STEP_S = 300;
const DAYS = 90;
const SERIES = [
  { job: 'api', route: '/users' },
  { job: 'api', route: '/orders, "bulk"' },
  { job: 'web', route: '/home' },
] as const;

/** 90 days of a counter per series at 5m resolution, in OpenMetrics, ending at `endS`. */
function openMetricsHistory(startS: number, endS: number): string {
  const lines = ['# HELP demo_requests_total Requests served.', '# TYPE demo_requests_total counter'];
  SERIES.forEach((labels, index) => {
    const labelText = `job="${labels.job}",route=${JSON.stringify(labels.route)}`;
    for (let t = startS; t <= endS; t += STEP_S) {
      lines.push(`demo_requests_total{${labelText}} ${((t - startS) / STEP_S) * (index + 1) + 0.5} ${t}`);
    }
  });
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

/** Prometheus's own answer for `query`, fetched in requests under its 11,000-point limit: key -> value. */
async function referencePoints(
  base: string,
  query: string,
  start: number,
  end: number,
): Promise<Map<string, string>> {
  const points = new Map<string, string>();
  for (let from = start; from <= end; from += 10_000 * STEP_S) {
    const to = Math.min(end, from + 9_999 * STEP_S);
    const params = new URLSearchParams({ query, start: String(from), end: String(to), step: String(STEP_S) });
    const body = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    for (const series of body.data.result) {
      for (const [t, v] of series.values) points.set(`${series.metric.route}@${t * 1000}`, v);
    }
  }
  return points;
}

/** Minimal RFC 4180 parser for the test's assertions (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe.skipIf(skipReason !== undefined)('yardstick export against a real Prometheus', () => {
  const work = tempDir('yardstick-cli-export-');
  const peers: RunningPeer[] = [];
  let base = '';
  let dataDir = '';
  let startS = 0;
  let endS = 0;

  async function startPrometheus(storage: string): Promise<{ peer: RunningPeer; url: string }> {
    const port = await freePort();
    const config = join(work.dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
    const running = await startPeer(
      prometheus.path!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${storage}`,
        '--storage.tsdb.retention.time=400d',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
    peers.push(running);
    return { peer: running, url: `http://127.0.0.1:${port}` };
  }

  beforeAll(async () => {
    endS = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - 3_600;
    startS = endS - DAYS * 86_400;
    const input = join(work.dir, 'history.om');
    writeFileSync(input, openMetricsHistory(startS, endS));
    dataDir = join(work.dir, 'data');
    const created = spawnSync(
      promtool.path!,
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=2160h', input, dataDir],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0) throw new Error(`promtool failed: ${created.stderr}`);
    base = (await startPrometheus(dataDir)).url;
  });

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    work.cleanup();
  });

  const exportArgs = (format: string, out: string, ...extra: string[]): string[] => [
    'export',
    '--source',
    base,
    '--metric',
    'demo_requests_total',
    '--start',
    String(startS),
    '--end',
    String(endS),
    '--step',
    '5m',
    '--format',
    format,
    '--out',
    out,
    ...extra,
  ];

  it('exports 90 days to CSV with the same rows and values Prometheus answers', async () => {
    const out = join(work.dir, 'all.csv');
    const cli = captureCli();
    expect(await runCli(exportArgs('csv', out), cli.io), cli.err()).toBe(0);
    const reference = await referencePoints(base, 'demo_requests_total', startS, endS);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual(['timestamp', 'metric', 'job', 'route', 'value']);
    expect(rows).toHaveLength(reference.size);
    expect(rows.length).toBe(SERIES.length * (DAYS * 288 + 1));
    let previous = 0;
    for (const [timestamp, metric, , route, value] of rows) {
      const ms = Date.parse(timestamp!);
      expect(ms).toBeGreaterThanOrEqual(previous);
      previous = ms;
      expect(metric).toBe('demo_requests_total');
      expect(value).toBe(reference.get(`${route}@${ms}`));
    }
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('exports 90 days to JSON with metadata and every point', async () => {
    const out = join(work.dir, 'all.json');
    const audit = join(work.dir, 'audit.jsonl');
    const cli = captureCli();
    const args = exportArgs('json', out, '--requested-by', 'analyst@example.com', '--audit-log', audit);
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
    const reference = await referencePoints(base, 'demo_requests_total', startS, endS);
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as {
      metadata: Record<string, unknown>;
      series: { metric: string; labels: Record<string, string>; values: [string, number][] }[];
    };
    expect(parsed.metadata).toMatchObject({
      requested_by: 'analyst@example.com',
      source: base,
      queries: ['demo_requests_total'],
      status: 'completed',
      step: STEP_S,
      file_size_bytes: statSync(out).size,
      filters: [],
      start: new Date(startS * 1000).toISOString(),
      end: new Date(endS * 1000).toISOString(),
    });
    expect(parsed.metadata.export_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const field of ['requested_at', 'completed_at']) {
      expect(parsed.metadata[field], field).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    let count = 0;
    for (const series of parsed.series) {
      for (const [timestamp, value] of series.values) {
        expect(String(value)).toBe(reference.get(`${series.labels.route}@${Date.parse(timestamp)}`));
        count++;
      }
    }
    expect(count).toBe(reference.size);
    const records = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.status)).toEqual(['pending', 'in_progress', 'completed']);
    expect(records[2].export_id).toBe(parsed.metadata.export_id);
    expect(statSync(audit).mode & 0o777).toBe(0o600);
  });

  it('exports 90 days to Parquet that hyparquet reads back with typed columns', async () => {
    const out = join(work.dir, 'all.parquet');
    const cli = captureCli();
    expect(await runCli(exportArgs('parquet', out), cli.io), cli.err()).toBe(0);
    const reference = await referencePoints(base, 'demo_requests_total', startS, endS);
    const bytes = readFileSync(out);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const rows = await parquetReadObjects({ file });
    expect(rows).toHaveLength(reference.size);
    for (const row of rows) {
      const labels = JSON.parse(row.labels as string) as Record<string, string>;
      const ms = (row.timestamp as Date).getTime();
      expect(row.metric).toBe('demo_requests_total');
      expect(row.value).toBe(Number(reference.get(`${labels.route}@${ms}`)));
    }
    const metadata = parquetMetadata(file);
    const record = metadata.key_value_metadata?.find((kv) => kv.key === 'yardstick.export');
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ status: 'completed', format: 'parquet' });
  });

  it('adds --filter matchers to every selector of an expression', async () => {
    const out = join(work.dir, 'filtered.csv');
    const cli = captureCli();
    const query = 'sum by (job) (demo_requests_total) / count by (job) (demo_requests_total)';
    const args = ['export', '--source', base, '--query', query, '--filter', 'route=~/users|/home'];
    args.push(
      '--start',
      String(endS - 86_400),
      '--end',
      String(endS),
      '--step',
      '1h',
      '--format',
      'csv',
      '--out',
      out,
    );
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual(['timestamp', 'metric', 'job', 'value']);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['api', 'web']));
    // With only /users left in job="api", the average is that one series' value.
    const filtered = 'demo_requests_total{route=~"/users|/home"}';
    const expected = await referencePoints(base, filtered, endS - 86_400, endS);
    for (const [timestamp, metric, job, value] of rows) {
      expect(metric).toBe(query);
      const route = job === 'api' ? '/users' : '/home';
      expect(Number(value)).toBe(Number(expected.get(`${route}@${Date.parse(timestamp!)}`)));
    }
  });

  it('refuses a range longer than 365 days with exit code 2 and no file', async () => {
    const out = join(work.dir, 'too-long.csv');
    const cli = captureCli();
    const args = ['export', '--source', base, '--metric', 'demo_requests_total', '--start', '-400d'];
    args.push('--end', 'now', '--step', '1h', '--format', 'csv', '--out', out);
    expect(await runCli(args, cli.io)).toBe(2);
    expect(cli.err()).toMatch(/range is 400 days; exports are limited to 365 days/);
    expect(existsSync(out)).toBe(false);
  });

  it('fails with no partial file when Prometheus stops mid-export', async () => {
    const storage = join(work.dir, 'data-copy');
    cpSync(dataDir, storage, { recursive: true });
    const second = await startPrometheus(storage);
    const outDir = tempDir('yardstick-cli-stop-');
    const out = join(outDir.dir, 'stopped.csv');
    const cli = captureCli();
    const args = [
      'export',
      '--source',
      second.url,
      '--metric',
      'demo_requests_total',
      '--start',
      String(startS),
    ];
    args.push('--end', String(endS), '--step', '5m', '--format', 'csv', '--out', out);
    args.push('--max-points', '20', '--concurrency', '1');
    const running = runCli(args, cli.io);
    await waitFor('the export to open its temp file', () => tempFiles(outDir.dir)[0], { timeoutMs: 15_000 });
    await second.peer.stop();
    expect(await running).toBe(1);
    // gone, or (a request caught while it shuts down) answering that its blocks are closing
    expect(cli.err()).toMatch(
      /yardstick: .*(cannot reach .*ECONNREFUSED.* \(gave up after 5 attempts\)|rejected the request: .*closing)/,
    );
    expect(readdirSync(outDir.dir)).toEqual([]);
    outDir.cleanup();
  });

  it('removes its temp file and exits non-zero when the CLI process gets SIGTERM mid-export', async () => {
    const outDir = tempDir('yardstick-cli-sigterm-');
    const out = join(outDir.dir, 'interrupted.parquet');
    const args = ['export', '--source', base, '--metric', 'demo_requests_total', '--start', String(startS)];
    args.push('--end', String(endS), '--step', '5m', '--format', 'parquet', '--out', out);
    args.push('--max-points', '20', '--concurrency', '1');
    const { child, stderr, exited } = spawnCli(args);
    try {
      await waitFor('the export to open its temp file', () => tempFiles(outDir.dir)[0], {
        timeoutMs: 20_000,
      });
      child.kill('SIGTERM');
      const code = await exited;
      expect(code, stderr()).toBe(143);
      expect(stderr()).toMatch(/export aborted: received SIGTERM/);
      expect(readdirSync(outDir.dir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      outDir.cleanup();
    }
  });
});
