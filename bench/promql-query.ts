/**
 * PromQL speed against a real Prometheus 2.42 in the same run:
 *   sum by (route) (rate(http_requests_total[5m]))
 * over 10,000 series with 1 hour of 15 s samples, as an instant query at the end of the hour and as a range
 * query over the hour (step 60 s). Prometheus gets the same data through `promtool tsdb
 * create-blocks-from openmetrics`. Both are timed over HTTP (`/api/v1/query*`), yardstick also in-process.
 *
 *   npx node --conditions=yardstick-source bench/promql-query.ts [--series N]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { evaluateInstant, evaluateRange, parseExpr, SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import { freePort, peer, startPeer, tempDir } from '../test/support/peers.ts';

const args = process.argv.slice(2);
const SERIES = Number(args[args.indexOf('--series') + 1] || 10_000);
const ROUTES = 20;
const STEP_MS = 15_000;
const SAMPLES = 241; // one hour of 15 s samples, both ends included
const ROUNDS = 7;
const QUERY = 'sum by (route) (rate(http_requests_total[5m]))';
// Whole hours keep Prometheus's 2 h block boundaries out of the way.
const START = Date.UTC(2026, 0, 1, 0, 0, 0);
const END = START + (SAMPLES - 1) * STEP_MS;

function labelsOf(i: number) {
  return {
    __name__: 'http_requests_total',
    route: `/route/${i % ROUTES}`,
    instance: `pod-${Math.floor(i / ROUTES)}`,
  };
}

function valueAt(i: number, k: number): number {
  // slowly growing counters with per-series rates
  return Math.floor(k * (1 + (i % 7)) + (k * k) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeHttp(url: string): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, body };
}

/** Undone in reverse order however the run ends, so no Prometheus outlives the benchmark. */
const cleanups: Array<() => unknown> = [];

async function main(): Promise<void> {
  console.log(`loading ${SERIES} series x ${SAMPLES} samples into the embedded store`);
  const store = new SampleStore({ retentionMs: 365 * 86_400_000, maxBytes: 4 * 1024 ** 3, now: () => END });
  const t0 = performance.now();
  for (let i = 0; i < SERIES; i++) {
    const labels = labelsOf(i);
    for (let k = 0; k < SAMPLES; k++) store.append(labels, START + k * STEP_MS, valueAt(i, k));
  }
  const loadMs = performance.now() - t0;
  const stats = store.stats();
  console.log(`  ${Math.round(loadMs)} ms, ${stats.bytesPerSample.toFixed(2)} bytes/sample`);

  const api = createQueryApi({ store, now: () => END });
  const server = createServer(api);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  const yardstickUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const prometheus = peer('prometheus');
  const promtool = peer('promtool');
  let prometheusUrl: string | undefined;
  const tmp = tempDir('yardstick-bench-promql-');
  cleanups.push(tmp.cleanup);
  let running: Awaited<ReturnType<typeof startPeer>> | undefined;
  if (prometheus.path && promtool.path) {
    console.log(
      'backfilling Prometheus 2.42 with the same data (promtool tsdb create-blocks-from openmetrics)',
    );
    const om = join(tmp.dir, 'data.om');
    const out = createWriteStream(om);
    out.write('# TYPE http_requests counter\n');
    for (let i = 0; i < SERIES; i++) {
      const { route, instance } = labelsOf(i);
      let chunk = '';
      for (let k = 0; k < SAMPLES; k++) {
        chunk += `http_requests_total{route="${route}",instance="${instance}"} ${valueAt(i, k)} ${(START + k * STEP_MS) / 1000}\n`;
      }
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end('# EOF\n');
    await new Promise<void>((r) => out.once('finish', () => r()));
    const data = join(tmp.dir, 'tsdb');
    mkdirSync(data);
    const backfill = spawnSync(promtool.path, ['tsdb', 'create-blocks-from', 'openmetrics', om, data], {
      encoding: 'utf8',
    });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.stderr}`);
    const port = await freePort();
    writeFileSync(join(tmp.dir, 'prometheus.yml'), 'global: {}\n');
    running = await startPeer(
      prometheus.path,
      [
        `--config.file=${join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
      120_000,
    );
    cleanups.push(() => running?.stop());
    prometheusUrl = `http://127.0.0.1:${port}`;
  } else {
    console.log(`Prometheus not installed: ${prometheus.skipReason ?? promtool.skipReason}; yardstick alone`);
  }

  // Evaluation times sit between samples: Prometheus 2 (closed range windows) and 3 (left-open windows,
  // which yardstick follows) differ only for samples exactly on a window edge.
  const at = END - 7_500;
  const rangeStart = START + 307_500;
  const instantPath = `/api/v1/query?query=${encodeURIComponent(QUERY)}&time=${at / 1000}`;
  const rangePath = `/api/v1/query_range?query=${encodeURIComponent(QUERY)}&start=${rangeStart / 1000}&end=${at / 1000}&step=60`;
  const expr = parseExpr(QUERY);
  const results: Record<string, number[]> = {};
  const note = (name: string, ms: number) => {
    results[name] ??= [];
    results[name].push(ms);
  };
  for (let round = 0; round < ROUNDS; round++) {
    // interleaved, so machine noise hits both alike
    let t = performance.now();
    evaluateInstant(store, expr, at);
    note('yardstick instant (in-process)', performance.now() - t);
    t = performance.now();
    evaluateRange(store, expr, rangeStart, at, 60_000);
    note('yardstick range (in-process)', performance.now() - t);
    note('yardstick instant (HTTP)', (await timeHttp(yardstickUrl + instantPath)).ms);
    note('yardstick range (HTTP)', (await timeHttp(yardstickUrl + rangePath)).ms);
    if (prometheusUrl) {
      note('prometheus instant (HTTP)', (await timeHttp(prometheusUrl + instantPath)).ms);
      note('prometheus range (HTTP)', (await timeHttp(prometheusUrl + rangePath)).ms);
    }
  }

  // the two must agree, or the timing means nothing
  let agreement: string | undefined;
  if (prometheusUrl) {
    type Vec = { data: { result: Array<{ metric: { route: string }; value: [number, string] }> } };
    const ours = (await timeHttp(yardstickUrl + instantPath)).body as Vec;
    const theirs = (await timeHttp(prometheusUrl + instantPath)).body as Vec;
    const byRoute = (v: Vec) => new Map(v.data.result.map((r) => [r.metric.route, Number(r.value[1])]));
    const a = byRoute(ours);
    const b = byRoute(theirs);
    const worst = Math.max(
      ...[...b].map(([route, value]) => Math.abs((a.get(route) ?? Number.NaN) - value) / Math.abs(value)),
    );
    agreement = `${a.size} routes, max relative difference ${worst.toExponential(2)}`;
    if (!(worst < 1e-9) || a.size !== b.size) throw new Error(`results differ: ${agreement}`);
  }

  const summary = Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, Math.round(median(v) * 100) / 100]),
  );
  const ratio = (a: string, b: string) =>
    summary[a] !== undefined && summary[b] !== undefined
      ? Math.round((summary[a]! / summary[b]!) * 100) / 100
      : undefined;
  const ratios = {
    'instant: yardstick HTTP / prometheus HTTP': ratio(
      'yardstick instant (HTTP)',
      'prometheus instant (HTTP)',
    ),
    'range: yardstick HTTP / prometheus HTTP': ratio('yardstick range (HTTP)', 'prometheus range (HTTP)'),
  };
  console.table(summary);
  console.log(ratios, agreement ?? '');
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/promql-query.json', import.meta.url),
    `${JSON.stringify(
      {
        query: QUERY,
        series: SERIES,
        samplesPerSeries: SAMPLES,
        rounds: ROUNDS,
        medianMs: summary,
        ratios,
        agreement,
        storeBytesPerSample: stats.bytesPerSample,
        node: process.version,
        date: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
