/**
 * A real Prometheus 2.42 scrapes the exposition of every instrument kind (counter, up-down counter, gauge,
 * histogram, and the three observable kinds) from a node:http server on 127.0.0.1, once in text 0.0.4
 * (a path that ignores `Accept`) and once negotiated from the `Accept` header Prometheus sends, which
 * selects OpenMetrics 1.0.0. The ingested series are checked through Prometheus's /api/v1/query.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  type ExpositionFormat,
  OPENMETRICS_CONTENT_TYPE,
  PrometheusReader,
  TEXT_CONTENT_TYPE,
} from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** What the /negotiated path saw and answered on each scrape. */
interface ServedScrape {
  readonly accept: string | undefined;
  readonly contentType: string;
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

/** Polls `expr` until it returns at least one sample, for at most `timeoutMs`. */
async function waitForSeries(base: string, expr: string, timeoutMs = 20_000): Promise<VectorSample[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await query(base, expr);
    if (result.length > 0) return result;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no result for ${expr} within ${timeoutMs} ms`);
}

function onlyValue(samples: readonly VectorSample[]): number {
  expect(samples).toHaveLength(1);
  return Number(samples[0]?.value[1]);
}

describe.skipIf(prometheus.skipReason !== undefined)('Prometheus 2.42 scraping the exposition', () => {
  const served: ServedScrape[] = [];
  const temp = tempDir('yardstick-exposition-scrape-');
  let server: Server | undefined;
  let running: RunningPeer | undefined;
  let base = '';

  beforeAll(async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({
      readers: [reader],
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'test' }),
    });
    const meter = provider.getMeter('checkout.api', '2.1.0');
    const requests = meter.createCounter('http.server.requests', {
      unit: '{request}',
      description: 'Requests.',
    });
    requests.add(3, { 'http.route': '/cart' });
    requests.add(5, { 'http.route': '/pay "now"' });
    meter.createUpDownCounter('db.connections', { description: 'Open connections.' }).add(-2);
    meter.createGauge('queue.depth', { unit: '{item}', description: 'Items queued.' }).record(17);
    meter
      .createObservableCounter('process.cpu.time', { unit: 's', description: 'CPU time.' })
      .addCallback((result) => result.observe(12.5, { 'cpu.mode': 'user' }));
    meter
      .createObservableUpDownCounter('process.threads', { unit: '{thread}', description: 'Threads.' })
      .addCallback((result) => result.observe(9));
    meter
      .createObservableGauge('cpu.utilization', { unit: '1', description: 'CPU in use.' })
      .addCallback((result) => result.observe(0.25));
    const duration = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      description: 'Request duration.',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    for (const value of [0.05, 0.5, 0.5, 3]) duration.record(value, { 'http.route': '/cart' });

    server = createServer((req, res) => {
      void (async () => {
        const negotiated = reader.negotiate(req.headers.accept);
        const format: ExpositionFormat = req.url === '/negotiated' ? negotiated.format : 'text';
        const contentType = format === 'text' ? TEXT_CONTENT_TYPE : OPENMETRICS_CONTENT_TYPE;
        if (req.url === '/negotiated') served.push({ accept: req.headers.accept, contentType });
        res.writeHead(200, { 'content-type': contentType });
        for await (const chunk of await reader.render(format)) res.write(chunk);
        res.end();
      })();
    });
    const appPort = await freePort();
    await new Promise<void>((resolve) => server?.listen(appPort, '127.0.0.1', resolve));

    const promPort = await freePort();
    const config = join(temp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: text',
        '    metrics_path: /text',
        `    static_configs: [{ targets: ['127.0.0.1:${appPort}'] }]`,
        '  - job_name: negotiated',
        '    metrics_path: /negotiated',
        `    static_configs: [{ targets: ['127.0.0.1:${appPort}'] }]`,
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
      ],
      `${base}/-/ready`,
    );
  });

  afterAll(async () => {
    await running?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    temp.cleanup();
  });

  for (const job of ['text', 'negotiated']) {
    it(`ingests every series with its value (${job} job)`, async () => {
      expect(onlyValue(await waitForSeries(base, `up{job="${job}"} == 1`))).toBe(1);
      await waitForSeries(base, `http_server_requests_total{job="${job}"}`);
      const scope = 'otel_scope_name="checkout.api",otel_scope_version="2.1.0"';
      expect(
        onlyValue(await query(base, `http_server_requests_total{job="${job}",http_route="/cart",${scope}}`)),
      ).toBe(3);
      expect(
        onlyValue(await query(base, `http_server_requests_total{job="${job}",http_route="/pay \\"now\\""}`)),
      ).toBe(5);
      expect(onlyValue(await query(base, `db_connections{job="${job}"}`))).toBe(-2);
      expect(onlyValue(await query(base, `cpu_utilization_ratio{job="${job}"}`))).toBe(0.25);
      expect(onlyValue(await query(base, `queue_depth{job="${job}"}`))).toBe(17);
      expect(
        onlyValue(await query(base, `process_cpu_time_seconds_total{job="${job}",cpu_mode="user"}`)),
      ).toBe(12.5);
      expect(onlyValue(await query(base, `process_threads{job="${job}"}`))).toBe(9);
      const bucket = (le: string) =>
        query(
          base,
          `http_server_request_duration_seconds_bucket{job="${job}",http_route="/cart",le="${le}"}`,
        );
      expect(onlyValue(await bucket('0.1'))).toBe(1);
      expect(onlyValue(await bucket('1'))).toBe(3);
      expect(onlyValue(await bucket('+Inf'))).toBe(4);
      expect(onlyValue(await query(base, `http_server_request_duration_seconds_sum{job="${job}"}`))).toBe(
        4.05,
      );
      expect(onlyValue(await query(base, `http_server_request_duration_seconds_count{job="${job}"}`))).toBe(
        4,
      );
      const target = await query(base, `target_info{job="${job}"}`);
      expect(target.map((sample) => sample.metric)).toEqual([
        {
          __name__: 'target_info',
          deployment_environment: 'test',
          instance: target[0]?.metric.instance,
          job,
          service_name: 'checkout',
        },
      ]);
    });
  }

  it('negotiates OpenMetrics 1.0.0 from the Accept header Prometheus 2.42 sends, and Prometheus accepts it', async () => {
    await waitForSeries(base, 'up{job="negotiated"} == 1');
    expect(served.length).toBeGreaterThan(0);
    for (const scrape of served) {
      expect(scrape.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0,/);
      expect(scrape.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    }
    // Same samples through both formats: OpenMetrics was parsed completely, not cut at an error.
    const scraped = await query(base, 'scrape_samples_scraped');
    const byJob = Object.fromEntries(scraped.map((sample) => [sample.metric.job, Number(sample.value[1])]));
    expect(byJob.negotiated).toBeGreaterThan(0);
    expect(byJob.negotiated).toBe(byJob.text);
  });
});
