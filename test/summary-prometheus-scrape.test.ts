/**
 * A summary recorded through `telemetry.summary()` is scraped by a real Prometheus 2.42 in each exposition
 * format: protobuf (Prometheus started with native histograms asks for it), OpenMetrics and text 0.0.4
 * (through small proxies that set the `Accept` header). Every format gives Prometheus the same quantile
 * series, `_sum` and `_count`, and the quantiles agree with the exact ones of what was recorded.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_SUMMARY_PERCENTILES, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
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

/** Polls `expr` until it returns `count` samples, for at most `timeoutMs`. */
async function waitForSeries(base: string, expr: string, count: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: VectorSample[] = [];
  while (Date.now() < deadline) {
    last = await query(base, expr);
    if (last.length === count) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${expr}: ${last.length} series after ${timeoutMs} ms, expected ${count}`);
}

/** Log-uniform values in [low, high] from a fixed seed (a linear congruential generator). */
function logUniform(count: number, low: number, high: number, seed: number): number[] {
  let state = seed;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    values.push(low * (high / low) ** (state / 2 ** 31));
  }
  return values;
}

/** A proxy to `target` that sends `accept` instead of the scraper's header, for one exposition format. */
async function acceptProxy(
  target: string,
  accept: string | undefined,
): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    void (async () => {
      const upstream = await fetch(target, accept === undefined ? {} : { headers: { accept } });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

describe.skipIf(prometheus.skipReason !== undefined)('summaries scraped by Prometheus 2.42', () => {
  const temp = tempDir('yardstick-summary-scrape-');
  const values = logUniform(1000, 0.001, 1, 17);
  const proxies: Server[] = [];
  let telemetry: Telemetry | undefined;
  let running: RunningPeer | undefined;
  let base = '';

  beforeAll(async () => {
    const quiet = () => undefined;
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      registerGlobal: false,
      serviceName: 'checkout',
      server: { port: 0 },
      store: { enabled: false },
      metrics: { process: false },
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    if (!telemetry.url) throw new Error('startTelemetry gave no server url');
    const latency = telemetry.summary('checkout.duration', { unit: 's', description: 'Checkout time.' });
    for (const value of values) latency.record(value, { route: '/pay' });

    const metricsUrl = `${telemetry.url}/metrics`;
    const text = await acceptProxy(metricsUrl, undefined);
    const openMetrics = await acceptProxy(metricsUrl, 'application/openmetrics-text;version=1.0.0');
    proxies.push(text.server, openMetrics.server);
    const promPort = await freePort();
    const config = join(temp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: protobuf',
        `    static_configs: [{ targets: ['${new URL(telemetry.url).host}'] }]`,
        '  - job_name: openmetrics',
        `    static_configs: [{ targets: ['127.0.0.1:${openMetrics.port}'] }]`,
        '  - job_name: text',
        `    static_configs: [{ targets: ['127.0.0.1:${text.port}'] }]`,
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
        // With native histograms on, Prometheus 2.42 asks for protobuf first.
        '--enable-feature=native-histograms',
      ],
      `${base}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    for (const proxy of proxies) await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await telemetry?.shutdown();
    temp.cleanup();
  });

  for (const job of ['protobuf', 'openmetrics', 'text']) {
    it(`ingests every quantile series, _sum and _count from the ${job} job`, async () => {
      const selector = `job="${job}",route="/pay"`;
      const quantiles = await waitForSeries(
        base,
        `checkout_duration_seconds{${selector}}`,
        DEFAULT_SUMMARY_PERCENTILES.length,
      );
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of DEFAULT_SUMMARY_PERCENTILES) {
        const sample = quantiles.find((s) => Number(s.metric.quantile) === q);
        expect(sample?.metric).toMatchObject({ otel_scope_name: 'checkout', instance: expect.any(String) });
        const exact = sorted[Math.floor(q * (sorted.length - 1))] as number;
        // 1000 values over three decades: the default 320 buckets keep them at scale 5, within 1.1%.
        expect(Math.abs(Number(sample?.value[1]) - exact) / exact).toBeLessThan(0.011);
      }
      const [count] = await waitForSeries(base, `checkout_duration_seconds_count{${selector}}`, 1);
      expect(Number(count?.value[1])).toBe(values.length);
      const [sum] = await waitForSeries(base, `checkout_duration_seconds_sum{${selector}}`, 1);
      const recorded = values.reduce((a, b) => a + b, 0);
      expect(Math.abs(Number(sum?.value[1]) - recorded) / recorded).toBeLessThan(1e-12);
    });
  }

  it('has Prometheus list the metric as a summary', async () => {
    const response = await fetch(`${base}/api/v1/metadata?metric=checkout_duration_seconds`);
    const body = (await response.json()) as { data: Record<string, Array<{ type: string; help: string }>> };
    expect(body.data.checkout_duration_seconds?.[0]).toEqual({
      type: 'summary',
      help: 'Checkout time.',
      unit: expect.any(String),
    });
  });
});
