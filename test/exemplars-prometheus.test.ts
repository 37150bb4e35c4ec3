/**
 * Exemplars end to end: an app records through startTelemetry in sampled spans (the default `trace_based`
 * filter, the span context given to `record`/`add`), a real Prometheus 2.42 started with
 * `--enable-feature=exemplar-storage` scrapes `/metrics` on 127.0.0.1 (it asks for OpenMetrics by default),
 * and its `/api/v1/query_exemplars` returns the recorded trace and span ids; so does yardstick's own, from the
 * embedded store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, TraceFlags, trace } from '@opentelemetry/api';
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

const HISTOGRAM_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const HISTOGRAM_SPAN = '00f067aa0ba902b7';
const COUNTER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const COUNTER_SPAN = 'b7ad6b7169203331';

/** One series' exemplars in the Prometheus API's shape. */
interface ExemplarSeries {
  readonly seriesLabels: Record<string, string>;
  readonly exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

async function queryExemplars(base: string, query: string): Promise<ExemplarSeries[]> {
  const end = Date.now() / 1000 + 60;
  const url = `${base}/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${end - 3600}&end=${end}`;
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data?: ExemplarSeries[]; error?: string };
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`query_exemplars ${query} failed: ${body.error}`);
  return body.data;
}

/** Polls until `query` has exemplars, for at most `timeoutMs` (Prometheus scrapes every second). */
async function waitForExemplars(base: string, query: string, timeoutMs = 30_000): Promise<ExemplarSeries[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await queryExemplars(base, query);
    if (found.some((series) => series.exemplars.length > 0)) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no exemplars for ${query} within ${timeoutMs} ms`);
}

function ids(found: readonly ExemplarSeries[]): Array<[string | undefined, string | undefined]> {
  return found.flatMap((series) =>
    series.exemplars.map(
      (e) => [e.labels.trace_id, e.labels.span_id] as [string | undefined, string | undefined],
    ),
  );
}

function sampled(traceId: string, spanId: string) {
  return trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
}

describe.skipIf(prometheus.skipReason !== undefined)('exemplars scraped by Prometheus 2.42', () => {
  const temp = tempDir('yardstick-exemplars-');
  let telemetry: Telemetry | undefined;
  let running: RunningPeer | undefined;
  let base = '';

  beforeAll(async () => {
    const quiet = () => undefined;
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      registerGlobal: false,
      server: { port: 0 },
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    const meter = telemetry.meter('checkout');
    const duration = meter.createHistogram('checkout.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    duration.record(0.5, { route: '/pay' }, sampled(HISTOGRAM_TRACE, HISTOGRAM_SPAN));
    // Outside any span: counted, never an exemplar (trace_based).
    duration.record(0.7, { route: '/pay' });
    meter.createCounter('checkout.orders').add(2, { route: '/pay' }, sampled(COUNTER_TRACE, COUNTER_SPAN));

    const target = new URL(telemetry.url ?? '');
    const promPort = await freePort();
    const config = join(temp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: app',
        `    static_configs: [{ targets: ['127.0.0.1:${target.port}'] }]`,
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
        '--enable-feature=exemplar-storage',
      ],
      `${base}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await telemetry?.shutdown();
    temp.cleanup();
  });

  it('returns the histogram bucket exemplar with its trace and span ids from /api/v1/query_exemplars', async () => {
    const found = await waitForExemplars(base, 'checkout_duration_seconds_bucket');
    expect(ids(found)).toEqual([[HISTOGRAM_TRACE, HISTOGRAM_SPAN]]);
    const [series] = found.filter((s) => s.exemplars.length > 0);
    // On the bucket that counted 0.5, with the recorded value and a timestamp of the recording.
    expect(series?.seriesLabels).toMatchObject({ __name__: 'checkout_duration_seconds_bucket', le: '1' });
    expect(series?.exemplars[0]?.value).toBe('0.5');
    expect(Math.abs((series?.exemplars[0]?.timestamp ?? 0) - Date.now() / 1000)).toBeLessThan(120);
  }, 40_000);

  it("returns the same trace ids from yardstick's own /api/v1/query_exemplars (the embedded store)", async () => {
    await telemetry?.forceFlush();
    const own = telemetry?.url ?? '';
    const buckets = await queryExemplars(
      own,
      'histogram_quantile(0.9, rate(checkout_duration_seconds_bucket[5m]))',
    );
    expect(ids(buckets)).toEqual([[HISTOGRAM_TRACE, HISTOGRAM_SPAN]]);
    expect(buckets[0]?.seriesLabels).toMatchObject({ __name__: 'checkout_duration_seconds_bucket', le: '1' });
    expect(ids(await queryExemplars(own, 'checkout_orders_total'))).toEqual([[COUNTER_TRACE, COUNTER_SPAN]]);
  });

  it('returns the counter exemplar from /api/v1/query_exemplars', async () => {
    const found = await waitForExemplars(base, 'checkout_orders_total');
    expect(ids(found)).toEqual([[COUNTER_TRACE, COUNTER_SPAN]]);
    expect(found.find((s) => s.exemplars.length > 0)?.exemplars[0]?.value).toBe('2');
  }, 40_000);
});
