/**
 * Export throughput of `yardstick export` (points/s) to CSV, JSON and Parquet from a local fake Prometheus
 * API (node:http on 127.0.0.1 serving pre-generated `query_range` answers, so the source costs only the
 * socket), raced against a named baseline in the same run: "naive CSV", the straightforward loop
 * (`new Date().toISOString()` and a template literal per row, rows in series order, one write per chunk).
 * When prometheus and promtool are installed, also times a 90-day export from a real Prometheus 2.42.
 *
 *   npx node --conditions=yardstick-source bench/export.ts [--series N] [--points N]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runExport } from '@yardstick/exporter-cli';
import { freePort, peer, startPeer, tempDir } from '../test/support/peers.ts';

const args = process.argv.slice(2);
const SERIES = Number(args[args.indexOf('--series') + 1] || 20);
const POINTS = Number(args[args.indexOf('--points') + 1] || 55_000);
const STEP_S = 60;
const CHUNK = 11_000;
const ROUNDS = 3;
const START_S = Date.UTC(2026, 0, 1) / 1000;

/** Pre-generated `query_range` bodies keyed by chunk start, like a Prometheus with the data in memory. */
function generateBodies(): Map<number, string> {
  const bodies = new Map<number, string>();
  for (let first = 0; first < POINTS; first += CHUNK) {
    const n = Math.min(CHUNK, POINTS - first);
    const result = [];
    for (let s = 0; s < SERIES; s++) {
      const values: [number, string][] = [];
      for (let i = 0; i < n; i++) {
        const k = first + i;
        values.push([
          START_S + k * STEP_S,
          String(Math.round((k * (s + 1) + Math.sin(k) * 10) * 1000) / 1000),
        ]);
      }
      const metric = { __name__: 'http_requests_total', job: 'checkout', route: `/route/${s}`, code: '200' };
      result.push({ metric, values });
    }
    bodies.set(
      START_S + first * STEP_S,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }),
    );
  }
  return bodies;
}

async function startFake(bodies: Map<number, string>): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/series')) {
        res.end(
          JSON.stringify({ status: 'success', data: [{ __name__: 'x', job: '', route: '', code: '' }] }),
        );
        return;
      }
      res.end(bodies.get(Number(form.get('start'))) ?? '{"status":"error","error":"no such chunk"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** The baseline: what a first implementation looks like. */
async function naiveCsv(url: string, out: string): Promise<number> {
  writeFileSync(out, 'timestamp,metric,code,job,route,value\n');
  let points = 0;
  for (let first = 0; first < POINTS; first += CHUNK) {
    const start = START_S + first * STEP_S;
    const end = START_S + (Math.min(POINTS, first + CHUNK) - 1) * STEP_S;
    const form = new URLSearchParams({
      query: 'http_requests_total',
      start: `${start}`,
      end: `${end}`,
      step: `${STEP_S}`,
    });
    const response = await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: form });
    const body = (await response.json()) as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    const rows: string[] = [];
    for (const series of body.data.result) {
      const m = series.metric;
      for (const [t, v] of series.values) {
        rows.push(`${new Date(t * 1000).toISOString()},${m.__name__},${m.code},${m.job},${m.route},${v}`);
        points++;
      }
    }
    appendFileSync(out, rows.join('\n') + '\n');
  }
  return points;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function prometheus90Days(dir: string): Promise<Record<string, number> | string> {
  const prom = peer('prometheus');
  const promtool = peer('promtool');
  if (!prom.path || !promtool.path) return 'skipped: prometheus/promtool not installed';
  const step = 300;
  const end = Math.floor(Date.now() / 1000 / step) * step - 3600;
  const start = end - 90 * 86_400;
  const series = 20;
  const lines = ['# TYPE demo_requests_total counter'];
  for (let s = 0; s < series; s++) {
    for (let t = start; t <= end; t += step)
      lines.push(`demo_requests_total{route="/r${s}"} ${(t - start) / step} ${t}`);
  }
  lines.push('# EOF');
  writeFileSync(join(dir, 'history.om'), lines.join('\n') + '\n');
  const created = spawnSync(promtool.path, [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--max-block-duration=2160h',
    join(dir, 'history.om'),
    join(dir, 'data'),
  ]);
  if (created.status !== 0) return `skipped: promtool failed: ${created.stderr}`;
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const running = await startPeer(
    prom.path,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=400d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    `http://127.0.0.1:${port}/-/ready`,
  );
  try {
    const result: Record<string, number> = { series, points: 0 };
    for (const format of ['csv', 'parquet'] as const) {
      const t0 = performance.now();
      const summary = await runExport({
        source: `http://127.0.0.1:${port}`,
        queries: [{ original: 'demo_requests_total', rewritten: 'demo_requests_total' }],
        filters: [],
        start: start * 1000,
        end: end * 1000,
        step: step * 1000,
        format,
        out: join(dir, `prom.${format}`),
        timeoutMs: 120_000,
        concurrency: 4,
      });
      const seconds = (performance.now() - t0) / 1000;
      result.points = summary.points;
      result[`${format}_seconds`] = Math.round(seconds * 1000) / 1000;
      result[`${format}_points_per_s`] = Math.round(summary.points / seconds);
    }
    return result;
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  const work = tempDir('yardstick-bench-export-');
  try {
    console.log(
      `generating ${SERIES} series x ${POINTS} points (${(SERIES * POINTS).toLocaleString()} points)`,
    );
    const fake = await startFake(generateBodies());
    const timings: Record<string, number[]> = { csv: [], json: [], parquet: [], 'naive CSV': [] };
    const sizes: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const format of ['csv', 'json', 'parquet'] as const) {
        const out = join(work.dir, `out.${format}`);
        const t0 = performance.now();
        const summary = await runExport({
          source: fake.url,
          queries: [{ original: 'http_requests_total', rewritten: 'http_requests_total' }],
          filters: [],
          start: START_S * 1000,
          end: (START_S + (POINTS - 1) * STEP_S) * 1000,
          step: STEP_S * 1000,
          format,
          out,
          timeoutMs: 300_000,
          concurrency: 4,
        });
        timings[format]!.push(performance.now() - t0);
        if (summary.points !== SERIES * POINTS) throw new Error(`${format}: ${summary.points} points`);
        sizes[format] = statSync(out).size;
      }
      const t0 = performance.now();
      await naiveCsv(fake.url, join(work.dir, 'naive.csv'));
      timings['naive CSV']!.push(performance.now() - t0);
    }
    fake.close();
    const total = SERIES * POINTS;
    const pointsPerSecond = Object.fromEntries(
      Object.entries(timings).map(([name, ms]) => [name, Math.round(total / (median(ms) / 1000))]),
    );
    const realPrometheus = await prometheus90Days(work.dir);
    const results = {
      points: total,
      series: SERIES,
      rounds: ROUNDS,
      medianMs: Object.fromEntries(
        Object.entries(timings).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]),
      ),
      pointsPerSecond,
      ratios: {
        'csv / naive CSV (points/s)':
          Math.round((pointsPerSecond.csv! / pointsPerSecond['naive CSV']!) * 100) / 100,
      },
      fileBytes: sizes,
      target: 'csv >= 1,000,000 points/s',
      realPrometheus90Days: realPrometheus,
      node: process.version,
      date: new Date().toISOString(),
    };
    console.log(JSON.stringify(results, null, 2));
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(
      join(import.meta.dirname, 'results', 'export.json'),
      JSON.stringify(results, null, 2) + '\n',
    );
  } finally {
    work.cleanup();
  }
}

await main();
