/**
 * Historical exports against a real Prometheus 2.42 (seed 000 T092–T095): 90 days of ProxyWhirl history
 * (`proxywhirl_requests_total{pool,region,status}`) backfilled with `promtool tsdb create-blocks-from
 * openmetrics`, exported for 7 days to CSV and 90 days to JSON and Parquet with pool/region filters through the
 * library, and once through the CLI; every value compared with Prometheus's own `query_range` answer.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../../test/support/peers.ts';
import { exportCli } from './export-cli.ts';
import { createHistoricalExport, type HistoricalExport, runHistoricalExport } from './historical-export.ts';

const prometheus = peer('prometheus');
const promtool = peer('promtool');
const skipReason = prometheus.skipReason ?? promtool.skipReason;

const STEP_S = 600;
const DAY_S = 86_400;
const DAYS = 90;
const SERIES = [
  { pool: 'residential', region: 'eu-west' },
  { pool: 'residential', region: 'us-east' },
  { pool: 'datacenter', region: 'eu-west' },
] as const;

/** 90 days of the request counter per (pool, region, status) at 10-minute resolution, ending at `endS`. */
function history(startS: number, endS: number): string {
  const lines = ['# HELP proxywhirl_requests_total Requests.', '# TYPE proxywhirl_requests_total counter'];
  SERIES.forEach((s, i) => {
    for (const [status, perStep] of [
      ['success', 10 * (i + 1)],
      ['error', i + 1],
    ] as const) {
      const labels = `pool="${s.pool}",region="${s.region}",status="${status}"`;
      for (let t = startS; t <= endS; t += STEP_S) {
        lines.push(`proxywhirl_requests_total{${labels}} ${((t - startS) / STEP_S) * perStep} ${t}`);
      }
    }
  });
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** Prometheus's own answer: `pool/region/status@ms` -> value. */
async function reference(
  base: string,
  query: string,
  startS: number,
  endS: number,
): Promise<Map<string, string>> {
  const points = new Map<string, string>();
  for (let from = startS; from <= endS; from += 10_000 * STEP_S) {
    const to = Math.min(endS, from + 9_999 * STEP_S);
    const params = new URLSearchParams({ query, start: String(from), end: String(to), step: String(STEP_S) });
    const body = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    for (const { metric, values } of body.data.result) {
      for (const [t, v] of values)
        points.set(`${metric.pool}/${metric.region}/${metric.status}@${t * 1000}`, v);
    }
  }
  return points;
}

describe.skipIf(skipReason !== undefined)('ProxyWhirl historical exports from a real Prometheus', () => {
  const work = tempDir('proxywhirl-export-e2e-');
  let server: RunningPeer;
  let base = '';
  let endS = 0;

  beforeAll(async () => {
    endS = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - 3_600;
    const input = join(work.dir, 'history.om');
    writeFileSync(input, history(endS - DAYS * DAY_S, endS));
    const data = join(work.dir, 'data');
    const created = spawnSync(
      promtool.path!,
      ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=2160h', input, data],
      { encoding: 'utf8', timeout: 90_000 },
    );
    if (created.status !== 0) throw new Error(`promtool failed: ${created.stderr}`);
    const port = await freePort();
    const config = join(work.dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
    server = await startPeer(
      prometheus.path!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=400d',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
    base = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    work.cleanup();
  });

  it('exports 7 days to CSV for one pool, row for row as Prometheus answers, mode 0600', async () => {
    const startS = endS - 7 * DAY_S;
    const out = join(work.dir, 'residential-7d.csv');
    const statuses: string[] = [];
    const done = await runHistoricalExport(
      createHistoricalExport({
        requested_by: 'analyst@example.com',
        metric_names: ['proxywhirl_requests_total'],
        start_time: new Date(startS * 1000),
        end_time: new Date(endS * 1000),
        format: 'csv',
        filters: { pool: 'residential' },
        output_path: out,
      }),
      { source: base, stepMs: STEP_S * 1000, onStatus: (e) => statuses.push(e.status) },
    );
    expect(done.error_message).toBeUndefined();
    expect(statuses).toEqual(['in_progress', 'completed']);
    expect(done.file_size_bytes).toBe(statSync(out).size);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const expected = await reference(base, 'proxywhirl_requests_total{pool="residential"}', startS, endS);
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(['timestamp', 'metric', 'pool', 'region', 'status', 'value']);
    // 2 regions x 2 statuses of the one pool, every 10-minute step of 7 days.
    expect(rows).toHaveLength(4 * (7 * 144 + 1));
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      const [timestamp, metric, pool, region, status, value] = row.split(',');
      expect(metric).toBe('proxywhirl_requests_total');
      expect(pool).toBe('residential');
      expect(value).toBe(expected.get(`${pool}/${region}/${status}@${Date.parse(timestamp!)}`));
    }
  }, 60_000);

  it('exports 90 days to JSON for one pool and region, with the export metadata, every point', async () => {
    const startS = endS - DAYS * DAY_S;
    const out = join(work.dir, 'res-eu-90d.json');
    const pending = createHistoricalExport({
      requested_by: 'capacity-planning',
      metric_names: ['proxywhirl_requests_total'],
      start_time: new Date(startS * 1000),
      end_time: new Date(endS * 1000),
      format: 'json',
      filters: { pool: 'residential', region: 'eu-west' },
      output_path: out,
    });
    const done: HistoricalExport = await runHistoricalExport(pending, {
      source: base,
      stepMs: STEP_S * 1000,
    });
    expect(done.status).toBe('completed');
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as {
      metadata: Record<string, unknown>;
      series: { labels: Record<string, string>; values: [string, number][] }[];
    };
    expect(parsed.metadata).toMatchObject({
      export_id: pending.export_id,
      requested_by: 'capacity-planning',
      filters: ['pool=residential', 'region=eu-west'],
      status: 'completed',
      queries: ['proxywhirl_requests_total'],
    });
    // Long ranges come in chunks of at most 11,000 steps: a series may appear once per chunk.
    expect(new Set(parsed.series.map((s) => s.labels.status))).toEqual(new Set(['error', 'success']));
    const expected = await reference(
      base,
      'proxywhirl_requests_total{pool="residential",region="eu-west"}',
      startS,
      endS,
    );
    const perStatus = new Map<string, number>();
    let points = 0;
    for (const s of parsed.series) {
      expect(s.labels).toMatchObject({ pool: 'residential', region: 'eu-west' });
      perStatus.set(s.labels.status!, (perStatus.get(s.labels.status!) ?? 0) + s.values.length);
      for (const [t, v] of s.values) {
        expect(String(v)).toBe(expected.get(`residential/eu-west/${s.labels.status}@${Date.parse(t)}`));
        points++;
      }
    }
    expect([...perStatus.values()]).toEqual([DAYS * 144 + 1, DAYS * 144 + 1]);
    expect(points).toBe(expected.size);
  }, 60_000);

  it('exports 90 days to Parquet', async () => {
    const out = join(work.dir, 'dc-90d.parquet');
    const done = await runHistoricalExport(
      createHistoricalExport({
        requested_by: 'capacity-planning',
        metric_names: ['proxywhirl_requests_total'],
        start_time: new Date((endS - DAYS * DAY_S) * 1000),
        end_time: new Date(endS * 1000),
        format: 'parquet',
        filters: { pool: 'datacenter' },
        output_path: out,
      }),
      { source: base, stepMs: STEP_S * 1000 },
    );
    expect(done.status).toBe('completed');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(out);
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    });
    expect(rows).toHaveLength(2 * (DAYS * 144 + 1));
  }, 60_000);

  it('runs from the command line and prints the completed export', async () => {
    const out = join(work.dir, 'cli-7d.csv');
    let stdout = '';
    let stderr = '';
    const code = await exportCli(
      [
        '--source',
        base,
        '--metric',
        'proxywhirl_requests_total',
        '--start',
        String(endS - 7 * DAY_S),
        '--end',
        String(endS),
        '--step',
        '10m',
        '--format',
        'csv',
        '--out',
        out,
        '--requested-by',
        'ops-team',
        '--filter',
        'region=us-east',
      ],
      { out: (t) => (stdout += t), err: (t) => (stderr += t) },
    );
    expect(code, stderr).toBe(0);
    const record = JSON.parse(stdout) as Record<string, unknown>;
    expect(record).toMatchObject({
      status: 'completed',
      requested_by: 'ops-team',
      filters: { region: 'us-east' },
    });
    expect(record.file_size_bytes).toBe(statSync(out).size);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1 + 2 * (7 * 144 + 1));
  }, 60_000);

  it('refuses a range over 365 days on the command line with exit 2 and the field named', async () => {
    let stderr = '';
    const code = await exportCli(
      [
        ...['--source', base, '--metric', 'proxywhirl_requests_total', '--start=-400d', '--end', 'now'],
        ...['--format', 'csv', '--out', join(work.dir, 'x.csv'), '--requested-by', 'ops-team'],
      ],
      { out: () => {}, err: (t) => (stderr += t) },
    );
    expect(code).toBe(2);
    expect(stderr).toBe('end_time: must be at most 365 days after start_time (400 days asked)\n');
  });
});
