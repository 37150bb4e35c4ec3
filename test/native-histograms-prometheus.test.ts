/**
 * An exponential histogram recorded through `startTelemetry` reaches a real Prometheus 2.42 started with
 * `--enable-feature=native-histograms` as a native histogram (Prometheus asks for the protobuf format,
 * `/metrics` negotiates it): `histogram_count`, `histogram_sum` and `histogram_quantile` over Prometheus's
 * API agree with what was recorded. The same instrument scraped as text (through a path that drops the
 * `Accept` header) is a classic histogram with the same counts. The embedded store's `/api/v1` answers with
 * the same `histogram`/`histograms` JSON as Prometheus for the same data.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  /** A native histogram sample: `[time, { count, sum, buckets: [[boundary_rule, lower, upper, count], …] }]`. */
  readonly histogram?: [number, { count: string; sum: string; buckets: [number, string, string, string][] }];
}

async function query(base: string, expr: string): Promise<VectorSample[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    data?: { result: VectorSample[] };
    error?: string;
  };
  if (body.status !== 'success' || !body.data) throw new Error(`query ${expr} failed: ${body.error}`);
  return body.data.result;
}

function onlyValue(samples: readonly VectorSample[]): number {
  expect(samples).toHaveLength(1);
  return Number(samples[0]?.value?.[1]);
}

/** Polls `expr` until its single value is `expected`, for at most `timeoutMs` (the machine may be busy). */
async function waitForValue(base: string, expr: string, expected: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: VectorSample[] = [];
  while (Date.now() < deadline) {
    last = await query(base, expr);
    if (last.length === 1 && Number(last[0]?.value?.[1]) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${expr} did not reach ${expected} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** `n` values spread log-uniformly over [min, max], from a fixed seed so the expectations are fixed too. */
function logUniform(n: number, min: number, max: number, seed: number): number[] {
  const values: number[] = [];
  let state = seed;
  for (let i = 0; i < n; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    values.push(min * (max / min) ** (state / 2 ** 31));
  }
  return values;
}

describe.skipIf(prometheus.skipReason !== undefined)('native histograms in Prometheus 2.42', () => {
  const temp = tempDir('yardstick-native-histograms-');
  let telemetry: Telemetry | undefined;
  let textProxy: Server | undefined;
  let running: RunningPeer | undefined;
  let base = '';
  const before = logUniform(200, 0.001, 10, 7);
  const during = logUniform(1000, 0.002, 5, 11);

  beforeAll(async () => {
    const quiet = () => undefined;
    const app = await startTelemetry({
      env: {},
      configFile: false,
      registerGlobal: false,
      server: { port: 0 },
      // The store collects on forceFlush() alone, so its sample is taken when the test chooses.
      collectIntervalMs: 3_600_000,
      metrics: { process: false, histogramAggregation: 'exponential' },
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    telemetry = app;
    if (!app.url) throw new Error('startTelemetry gave no server url');
    const appUrl = app.url;
    // The text job: the same /metrics with Prometheus's Accept header dropped, so it negotiates text 0.0.4.
    textProxy = createServer((_req, res) => {
      void (async () => {
        const upstream = await fetch(`${appUrl}/metrics`);
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })().catch(() => res.destroy());
    });
    const proxyPort = await freePort();
    await new Promise<void>((resolve) => textProxy?.listen(proxyPort, '127.0.0.1', resolve));

    const promPort = await freePort();
    const config = join(temp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: native',
        `    static_configs: [{ targets: ['${new URL(appUrl).host}'] }]`,
        '  - job_name: text',
        `    static_configs: [{ targets: ['127.0.0.1:${proxyPort}'] }]`,
        '',
      ].join('\n'),
    );
    base = `http://127.0.0.1:${promPort}`;
    running = await startPeer(
      prometheus.path ?? 'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(temp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--enable-feature=native-histograms',
      ],
      `${base}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await new Promise<void>((resolve) => (textProxy ? textProxy.close(() => resolve()) : resolve()));
    await telemetry?.shutdown();
    temp.cleanup();
  });

  it('agrees with the recorded values on count, sum and the 0.9 quantile of the rate; text gets classic buckets', async () => {
    const latency = telemetry!.meter('shop').createHistogram('shop.latency', { unit: 's' });
    for (const value of before) latency.record(value, { route: '/cart' });
    const series = 'shop_latency_seconds{job="native",route="/cart"}';
    await waitForValue(base, `histogram_count(${series})`, before.length);
    // The series' first samples hold only `before`; what follows is the increase the rate sees.
    for (const value of during) latency.record(value, { route: '/cart' });
    const all = [...before, ...during];
    await waitForValue(base, `histogram_count(${series})`, all.length);

    const sum = onlyValue(await query(base, `histogram_sum(${series})`));
    const recordedSum = all.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - recordedSum) / recordedSum).toBeLessThan(1e-12);
    // A native histogram has no `_bucket` series in Prometheus.
    expect(await query(base, 'shop_latency_seconds_bucket{job="native"}')).toEqual([]);

    const quantile = onlyValue(await query(base, `histogram_quantile(0.9, rate(${series}[1m]))`));
    const sorted = [...during].sort((a, b) => a - b);
    const exact = sorted[Math.ceil(0.9 * sorted.length) - 1] as number;
    // The quantile lies in the native bucket that holds the exact 0.9 quantile of what was recorded
    // (the buckets are Prometheus's own, from its JSON for the rate).
    const [rate] = await query(base, `rate(${series}[1m])`);
    const holding = rate?.histogram?.[1].buckets.find(
      ([, lower, upper]) => Number(lower) < exact && exact <= Number(upper),
    );
    expect(holding, `a bucket holding ${exact}`).toBeDefined();
    const [, lower, upper] = holding!;
    expect(quantile).toBeGreaterThanOrEqual(Number(lower));
    expect(quantile).toBeLessThanOrEqual(Number(upper));
    // A bucket of the schema the exposition chose (3 for 0.001..10 in 160 buckets) is under 10% wide.
    expect(Number(upper) / Number(lower)).toBeLessThan(1.1);

    // The text job: a classic histogram with the same counts, bucket by bucket.
    await waitForValue(base, 'shop_latency_seconds_count{job="text",route="/cart"}', all.length);
    const buckets = await query(base, 'shop_latency_seconds_bucket{job="text",route="/cart"}');
    expect(buckets.length).toBeGreaterThan(10);
    for (const bucket of buckets) {
      const le = bucket.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(bucket.metric.le);
      expect(Number(bucket.value?.[1]), `le=${bucket.metric.le}`).toBe(all.filter((v) => v <= le).length);
    }
  }, 60_000);

  it('answers /api/v1 with the same histogram JSON as Prometheus for the same data, instant and range', async () => {
    const app = telemetry!;
    const wait = app.meter('shop').createHistogram('shop.wait', { unit: 's' });
    // Zeros and a wide range (the API drops negative values): zero and positive buckets, a fractional sum.
    const values = [...logUniform(300, 0.0005, 40, 3), 0, 0];
    for (const value of values) wait.record(value, { queue: 'q1' });
    const series = 'shop_wait_seconds{job="native",queue="q1"}';
    await waitForValue(base, `histogram_count(${series})`, values.length);
    // Nothing is recorded after this: Prometheus's last scrape and the store's collection hold the same point.
    await app.forceFlush();

    const [fromPrometheus] = await query(base, series);
    const [ours] = await query(app.url!, 'shop_wait_seconds{queue="q1"}');
    expect(fromPrometheus?.histogram?.[1].buckets.length).toBeGreaterThan(20);
    expect(ours?.histogram?.[1]).toEqual(fromPrometheus?.histogram?.[1]);
    // The zero bucket, as Prometheus writes it: boundary rule 3, closed on both sides.
    expect(ours?.histogram?.[1].buckets[0]).toEqual([3, '-0', '0', '2']);
    expect(Object.keys(ours!).sort()).toEqual(Object.keys(fromPrometheus!).sort());

    const end = Date.now() / 1000;
    const range = async (url: string, expr: string) => {
      const response = await fetch(
        `${url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - 2}&end=${end}&step=1`,
      );
      const body = (await response.json()) as {
        data: { resultType: string; result: Record<string, unknown>[] };
      };
      return body.data;
    };
    const promRange = await range(base, series);
    const ourRange = await range(app.url!, 'shop_wait_seconds{queue="q1"}');
    expect(ourRange.resultType).toBe(promRange.resultType);
    expect(Object.keys(ourRange.result[0]!).sort()).toEqual(Object.keys(promRange.result[0]!).sort());
    const [, promLast] = (promRange.result[0]!.histograms as [number, unknown][]).at(-1)!;
    const [, ourLast] = (ourRange.result[0]!.histograms as [number, unknown][]).at(-1)!;
    expect(ourLast).toEqual(promLast);
  }, 60_000);
});
