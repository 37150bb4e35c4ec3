/**
 * PromQL over native histograms against a real Prometheus 2.42 in the same run:
 *   histogram_quantile(0.99, sum by (route) (rate(http_request_duration_seconds[5m])))
 * over 1,000 native histogram series (schema 3, 32 buckets) with 1 hour of 15 s samples, as an instant query
 * at the end of the hour and as a range query over the hour (step 60 s). Both are timed over HTTP
 * (`/api/v1/query*`), yardstick also in-process.
 *
 * Prometheus gets the same integer histograms through its remote write receiver (remote write 1.0 with the
 * `histograms` field of prompb, `--enable-feature=native-histograms`): promtool's OpenMetrics backfill
 * cannot carry native histograms. The samples therefore sit in Prometheus's head (in-memory chunks), the
 * place recent data is queried from.
 *
 *   npx node --conditions=yardstick-source bench/promql-native-histogram-query.ts [--series N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { evaluateInstant, evaluateRange, FloatHistogram, parseExpr, SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { freePort, peer, startPeer, tempDir } from '../test/support/peers.ts';

const args = process.argv.slice(2);
const SERIES = Number(args[args.indexOf('--series') + 1] || 1_000);
const ROUTES = 20;
const STEP_MS = 15_000;
const SAMPLES = 241; // one hour of 15 s samples, both ends included
const ROUNDS = 7;
const SCHEMA = 3; // buckets grow by 2^(1/8), about 9 %
const BUCKETS = 32;
const NAME = 'http_request_duration_seconds';
const QUERY = `histogram_quantile(0.99, sum by (route) (rate(${NAME}[5m])))`;
// What the two engines must agree on exactly; the quantile itself only within its bucket (below).
const COUNT_QUERY = `histogram_count(sum by (route) (rate(${NAME}[5m])))`;
const START = Date.UTC(2026, 0, 1, 0, 0, 0);
const END = START + (SAMPLES - 1) * STEP_MS;

function labelsOf(i: number): Record<string, string> {
  return { __name__: NAME, route: `/route/${i % ROUTES}`, instance: `pod-${Math.floor(i / ROUTES)}` };
}

/** Where series `i`'s buckets start: latencies around 2^(offset/8) seconds, different per series. */
function offsetOf(i: number): number {
  return -48 + (i % 11);
}

/**
 * The cumulative count of bucket `j` of series `i` after `k` scrapes: a bell-shaped latency distribution
 * gaining a few observations per scrape, so counts only grow (a counter histogram without resets).
 */
function bucketCount(i: number, j: number, k: number): number {
  const centre = 12 + (i % 9);
  const weight = 4 * Math.exp(-((j - centre) ** 2) / 30) + 0.05;
  return Math.floor(k * weight * (1 + (i % 5) / 10));
}

/** Series `i`'s histogram after `k` scrapes: absolute counts, and the sum taken at each bucket's middle. */
function histogramAt(i: number, k: number): { counts: number[]; count: number; sum: number } {
  const counts: number[] = [];
  let count = 0;
  let sum = 0;
  const offset = offsetOf(i);
  for (let j = 0; j < BUCKETS; j++) {
    const c = bucketCount(i, j, k);
    counts.push(c);
    count += c;
    sum += c * 2 ** ((offset + j + 0.5) / 2 ** SCHEMA);
  }
  return { counts, count, sum };
}

/** The subset of Prometheus's `prompb` (remote.proto, types.proto) that carries integer native histograms. */
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  int32 reset_hint = 14;
  int64 timestamp = 15;
}
`;
const writeRequest = protobuf.parse(PROMPB, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

/** One remote write request holding every series' sample at scrape `k` (time order, as the head needs). */
function writeBody(k: number): Uint8Array {
  const timeseries = [];
  for (let i = 0; i < SERIES; i++) {
    const { counts, count, sum } = histogramAt(i, k);
    const deltas = counts.map((c, j) => c - (j === 0 ? 0 : counts[j - 1]!));
    const labels = Object.entries(labelsOf(i))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => ({ name, value }));
    timeseries.push({
      labels,
      histograms: [
        {
          count_int: count,
          sum,
          schema: SCHEMA,
          zero_threshold: 2 ** -128,
          zero_count_int: 0,
          positive_spans: [{ offset: offsetOf(i), length: BUCKETS }],
          positive_deltas: deltas,
          timestamp: START + k * STEP_MS,
        },
      ],
    });
  }
  return snappy.compress(writeRequest.encode(writeRequest.fromObject({ timeseries })).finish());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeHttp(url: string): Promise<{ ms: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(url).catch((e: unknown) => {
    throw new Error(`${url}: ${e instanceof Error ? (e.cause ?? e.message) : e}`);
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, body };
}

type Vec = { data: { result: Array<{ metric: { route: string }; value: [number, string] }> } };

/** The largest relative difference between two answers, route by route; Infinity when routes differ. */
function worstDifference(ours: Vec, theirs: Vec): { routes: number; worst: number } {
  const byRoute = (v: Vec) => new Map(v.data.result.map((r) => [r.metric.route, Number(r.value[1])]));
  const a = byRoute(ours);
  const b = byRoute(theirs);
  if (a.size !== b.size || a.size === 0) return { routes: a.size, worst: Number.POSITIVE_INFINITY };
  const worst = Math.max(
    ...[...b].map(([route, value]) => Math.abs((a.get(route) ?? Number.NaN) - value) / Math.abs(value)),
  );
  return { routes: a.size, worst: Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst };
}

/** Undone in reverse order however the run ends, so no Prometheus outlives the benchmark. */
const cleanups: Array<() => unknown> = [];

async function main(): Promise<void> {
  console.log(`loading ${SERIES} native histogram series x ${SAMPLES} samples into the embedded store`);
  const store = new SampleStore({ retentionMs: 365 * 86_400_000, maxBytes: 4 * 1024 ** 3, now: () => END });
  const t0 = performance.now();
  for (let i = 0; i < SERIES; i++) {
    const labels = labelsOf(i);
    for (let k = 0; k < SAMPLES; k++) {
      const { counts, count, sum } = histogramAt(i, k);
      const histogram = new FloatHistogram({
        schema: SCHEMA,
        zeroThreshold: 2 ** -128,
        count,
        sum,
        positiveSpans: [{ offset: offsetOf(i), length: BUCKETS }],
        positiveBuckets: counts,
      });
      store.appendHistogram(labels, START + k * STEP_MS, histogram);
    }
  }
  const loadMs = performance.now() - t0;
  console.log(`  ${Math.round(loadMs)} ms`);

  // Prometheus's default limits (`--query.timeout=2m`, `--query.max-samples=50000000`), so both answer.
  const api = createQueryApi({
    store,
    now: () => END,
    limits: { timeoutMs: 120_000, maxSamples: 50_000_000 },
  });
  cleanups.push(() => api.close());
  // The in-process rounds block this event loop for seconds: a default 5 s keep-alive would close the
  // client's idle socket just as it is reused (ECONNRESET).
  const server = createServer({ keepAliveTimeout: 300_000 }, api);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  const yardstickUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const prometheus = peer('prometheus');
  let prometheusUrl: string | undefined;
  const tmp = tempDir('yardstick-bench-promql-nh-');
  cleanups.push(tmp.cleanup);
  if (prometheus.path) {
    const port = await freePort();
    writeFileSync(join(tmp.dir, 'prometheus.yml'), 'global: {}\n');
    const running = await startPeer(
      prometheus.path,
      [
        `--config.file=${join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`,
        '--storage.tsdb.retention.time=100y',
        '--enable-feature=native-histograms',
        '--web.enable-remote-write-receiver',
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
      120_000,
    );
    cleanups.push(() => running.stop());
    prometheusUrl = `http://127.0.0.1:${port}`;
    console.log('remote-writing the same histograms to Prometheus 2.42 (native-histograms feature on)');
    const w0 = performance.now();
    for (let k = 0; k < SAMPLES; k++) {
      const res = await fetch(`${prometheusUrl}/api/v1/write`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
        },
        body: writeBody(k),
      });
      if (res.status !== 204) {
        throw new Error(
          `remote write at scrape ${k}: ${res.status} ${await res.text()}\n${running.output()}`,
        );
      }
    }
    console.log(`  ${Math.round(performance.now() - w0)} ms`);
  } else {
    console.log(`Prometheus not installed: ${prometheus.skipReason}; yardstick alone`);
  }

  // Evaluation times sit between samples: Prometheus 2 (closed range windows) and 3 (left-open windows,
  // which yardstick follows) differ only for samples exactly on a window edge.
  const at = END - 7_500;
  const rangeStart = START + 307_500;
  const instantPath = (q: string) => `/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`;
  const rangePath = `/api/v1/query_range?query=${encodeURIComponent(QUERY)}&start=${rangeStart / 1000}&end=${at / 1000}&step=60`;

  // The two must agree, or the timing means nothing. Counts exactly; the quantile within one bucket's
  // width, since Prometheus 3 (which yardstick follows) interpolates exponentially inside exponential
  // buckets where 2.42 interpolates linearly.
  let agreement: string | undefined;
  if (prometheusUrl) {
    const counts = worstDifference(
      (await timeHttp(yardstickUrl + instantPath(COUNT_QUERY))).body as Vec,
      (await timeHttp(prometheusUrl + instantPath(COUNT_QUERY))).body as Vec,
    );
    const quantiles = worstDifference(
      (await timeHttp(yardstickUrl + instantPath(QUERY))).body as Vec,
      (await timeHttp(prometheusUrl + instantPath(QUERY))).body as Vec,
    );
    agreement = `${counts.routes} routes; max relative difference of counts ${counts.worst.toExponential(2)}, of p99 ${quantiles.worst.toExponential(2)}`;
    const bucketWidth = 2 ** (2 ** -SCHEMA) - 1;
    if (!(counts.worst < 1e-9) || !(quantiles.worst < bucketWidth) || counts.routes !== quantiles.routes) {
      throw new Error(`results differ: ${agreement}`);
    }
    console.log(agreement);
  }

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
    note('yardstick instant (HTTP)', (await timeHttp(yardstickUrl + instantPath(QUERY))).ms);
    note('yardstick range (HTTP)', (await timeHttp(yardstickUrl + rangePath)).ms);
    if (prometheusUrl) {
      note('prometheus instant (HTTP)', (await timeHttp(prometheusUrl + instantPath(QUERY))).ms);
      note('prometheus range (HTTP)', (await timeHttp(prometheusUrl + rangePath)).ms);
    }
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
  console.log(ratios);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/promql-native-histogram-query.json', import.meta.url),
    `${JSON.stringify(
      {
        query: QUERY,
        series: SERIES,
        samplesPerSeries: SAMPLES,
        bucketsPerSample: BUCKETS,
        schema: SCHEMA,
        rounds: ROUNDS,
        medianMs: summary,
        ratios,
        agreement,
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
