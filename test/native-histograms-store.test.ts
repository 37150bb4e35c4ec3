/**
 * An exponential histogram recorded through `startTelemetry` is a native histogram in the embedded store
 * and in `/api/v1` (queries run in the worker pool, which reads the store over the worker protocol):
 * Prometheus's JSON `histogram`/`histograms`, `histogram_count`/`histogram_sum`, and buckets whose counts
 * match the classic buckets the same instrument shows on `/metrics` in text and the ExponentialHistogram
 * OTLP carries to a collector. With `store.path` they are back after a restart.
 */
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';
import { tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

interface ApiHistogram {
  readonly count: string;
  readonly sum: string;
  readonly buckets: [number, string, string, string][];
}

interface ApiSeries {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  readonly histogram?: [number, ApiHistogram];
  readonly values?: [number, string][];
  readonly histograms?: [number, ApiHistogram][];
}

let telemetry: Telemetry;
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    registerGlobal: false,
    server: { port: 0 },
    logger: silentLogger,
    // Collections come from forceFlush() alone.
    collectIntervalMs: 3_600_000,
    metrics: { process: false, histogramAggregation: 'exponential', exemplarFilter: 'always_on' },
    // Exports come from forceFlush() alone too.
    otlp: { endpoint: receiver.url, exportIntervalMs: 3_600_000 },
  });
});

afterAll(async () => {
  await telemetry.shutdown();
  await receiver.close();
});

async function query(path: string, base = telemetry.url): Promise<ApiSeries[]> {
  const response = await fetch(`${base}${path}`);
  const body = (await response.json()) as { status: string; data?: { result: ApiSeries[] }; error?: string };
  expect(body.status, body.error).toBe('success');
  return body.data!.result;
}

const values = [0, 0.003, 0.004, 0.02, 0.02, 0.021, 0.5, 1, 1, 2.5, 7.25];

describe('exponential histograms in the embedded store and /api/v1', () => {
  it('are native histograms: count, sum and buckets holding every recorded value, no _bucket series; the same buckets in text and on OTLP', async () => {
    const latency = telemetry.meter('shop').createHistogram('shop.latency', { unit: 's' });
    for (const value of values) latency.record(value, { route: '/cart' });
    await telemetry.forceFlush();
    const now = Date.now() / 1000;

    const [series] = await query(`/api/v1/query?query=shop_latency_seconds&time=${now}`);
    expect(series?.metric).toMatchObject({ __name__: 'shop_latency_seconds', route: '/cart' });
    const histogram = series!.histogram![1];
    expect(Number(histogram.count)).toBe(values.length);
    expect(Number(histogram.sum)).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      12,
    );
    // Every recorded value lies in a returned bucket, and the buckets add up to the count.
    const buckets = histogram.buckets.map(([rule, lower, upper, count]) => ({
      rule,
      lower: Number(lower),
      upper: Number(upper),
      count: Number(count),
    }));
    expect(buckets.reduce((a, b) => a + b.count, 0)).toBe(values.length);
    for (const bucket of buckets) {
      // Boundary rule 3 is the zero bucket [-t, t]; 0 is (lower, upper], as Prometheus writes them.
      const held = values.filter((v) =>
        bucket.rule === 3 ? v >= bucket.lower && v <= bucket.upper : v > bucket.lower && v <= bucket.upper,
      );
      expect(held.length, `bucket ${JSON.stringify(bucket)}`).toBe(bucket.count);
    }

    expect(await query(`/api/v1/query?query=shop_latency_seconds_bucket&time=${now}`)).toEqual([]);
    // Exemplars belong to the native histogram's own series, as in Prometheus.
    const exemplars = (await (
      await fetch(
        `${telemetry.url}/api/v1/query_exemplars?query=shop_latency_seconds&start=${now - 60}&end=${now + 1}`,
      )
    ).json()) as { data: { seriesLabels: Record<string, string>; exemplars: { value: string }[] }[] };
    expect(exemplars.data.map((e) => e.seriesLabels.__name__)).toEqual(['shop_latency_seconds']);
    expect(exemplars.data[0]!.exemplars.length).toBeGreaterThan(0);
    for (const { value } of exemplars.data[0]!.exemplars) expect(values).toContain(Number(value));
    const [count] = await query(`/api/v1/query?query=histogram_count(shop_latency_seconds)&time=${now}`);
    expect(Number(count?.value?.[1])).toBe(values.length);
    const [sum] = await query(`/api/v1/query?query=histogram_sum(shop_latency_seconds)&time=${now}`);
    expect(Number(sum?.value?.[1])).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      12,
    );

    // /metrics in text: classic buckets at the native buckets' upper bounds, with the same counts.
    const text = await (await fetch(`${telemetry.url}/metrics`)).text();
    let cumulative = 0;
    for (const bucket of buckets) {
      cumulative += bucket.count;
      if (bucket.count === 0 || bucket.rule === 3) continue;
      const le = [...text.matchAll(/^shop_latency_seconds_bucket\{[^}]*le="([^"]+)"\} (\S+)$/gm)].find(
        (m) => Math.abs(Number(m[1]) / bucket.upper - 1) < 1e-12,
      );
      expect(le, `text bucket at ${bucket.upper}`).toBeDefined();
      expect(Number(le![2])).toBe(cumulative);
    }

    // OTLP: an ExponentialHistogram with the same buckets. OTel's bucket i is (base^i, base^(i+1)], so
    // each populated OTLP bucket is the /api/v1 bucket with upper bound 2^((i+1)/2^scale).
    const point = await waitFor(
      'the OTLP export of shop.latency',
      () => receiver.exports.flatMap((e) => e.metrics).find((m) => m.name === 'shop.latency')?.points[0],
    );
    expect(point.count).toBe(values.length);
    const exponential = point.exponential!;
    expect(exponential.zeroCount).toBe(buckets.find((b) => b.rule === 3)?.count);
    const otlpBuckets = exponential.positiveCounts
      .map((count, k) => ({
        upper: 2 ** ((exponential.positiveOffset + k + 1) / 2 ** exponential.scale),
        count,
      }))
      .filter((b) => b.count > 0);
    const apiBuckets = buckets.filter((b) => b.rule !== 3);
    expect(apiBuckets.length).toBeGreaterThan(5);
    expect(otlpBuckets.map((b) => b.count)).toEqual(apiBuckets.map((b) => b.count));
    otlpBuckets.forEach((b, i) => {
      expect(Math.abs(b.upper / apiBuckets[i]!.upper - 1)).toBeLessThan(1e-12);
    });
  });

  it('returns a range of native histogram samples under "histograms"', async () => {
    const latency = telemetry.meter('shop').createHistogram('shop.wait', { unit: 's' });
    const start = Date.now() / 1000 - 1;
    latency.record(0.25);
    await telemetry.forceFlush();
    // the two collections at least a few steps apart, so a step of the range lands between them
    await new Promise((resolve) => setTimeout(resolve, 400));
    latency.record(0.5);
    latency.record(0.75);
    await telemetry.forceFlush();
    const end = Date.now() / 1000 + 1;
    const [series] = await query(
      `/api/v1/query_range?query=shop_wait_seconds&start=${start}&end=${end}&step=0.1`,
    );
    expect(series?.values).toBeUndefined();
    const counts = new Set(series!.histograms!.map(([, h]) => Number(h.count)));
    expect([...counts].sort()).toEqual([1, 3]);
  });
});

describe('exponential histograms in a persistent store (store.path)', () => {
  it('are the same native histograms after a restart', async () => {
    const temp = tempDir('yardstick-native-histograms-store-');
    const start = () =>
      startTelemetry({
        env: {},
        configFile: false,
        registerGlobal: false,
        server: { port: 0 },
        logger: silentLogger,
        collectIntervalMs: 3_600_000,
        store: { path: temp.dir },
        metrics: { process: false, histogramAggregation: 'exponential' },
      });
    try {
      const first = await start();
      const wait = first.meter('shop').createHistogram('shop.queue.wait', { unit: 's' });
      for (const value of values) wait.record(value);
      await first.forceFlush();
      wait.record(3);
      await first.forceFlush();
      const at = Date.now() / 1000;
      const range = `/api/v1/query_range?query=shop_queue_wait_seconds&start=${at - 60}&end=${at}&step=0.5`;
      const before = await query(range, first.url);
      expect(before[0]?.histograms?.at(-1)?.[1].count).toBe(String(values.length + 1));
      await first.shutdown();

      const second = await start();
      try {
        expect(await query(range, second.url)).toEqual(before);
      } finally {
        await second.shutdown();
      }
    } finally {
      temp.cleanup();
    }
  });
});
