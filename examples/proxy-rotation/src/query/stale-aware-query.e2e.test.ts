/**
 * T101/T102 with a real Prometheus 2.42 scraping the service: while it runs, dashboard queries are fresh;
 * when it is killed, recording and `/metrics` go on unaffected, the same query falls back to the embedded
 * store (`degraded`) or, without a fallback, serves the last answer marked `stale` with its age; a query never
 * answered before is `unavailable`. Nothing throws.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../../test/support/peers.ts';
import { ProxyWhirlMetrics } from '../metrics/proxywhirl-metrics.ts';
import { StaleAwareQuery } from './stale-aware-query.ts';

const prometheus = peer('prometheus');
const QUERY = 'sum by (pool) (proxywhirl_requests_total)';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe.skipIf(prometheus.skipReason !== undefined)('dashboard queries when Prometheus goes away', () => {
  const work = tempDir('proxywhirl-stale-');
  let telemetry: Telemetry;
  let metrics: ProxyWhirlMetrics;
  let server: RunningPeer | undefined;
  let promUrl = '';

  beforeAll(async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      collectIntervalMs: 250,
    });
    metrics = new ProxyWhirlMetrics(telemetry.meter('proxywhirl'));
    for (let i = 0; i < 5; i++) metrics.recordRequest('residential', 'eu-west', 'success', 0.2);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const target = new URL(telemetry.url!).host;
    const config = join(work.dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: proxywhirl\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    server = await startPeer(
      prometheus.path!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(work.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `${promUrl}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await telemetry?.shutdown();
    work.cleanup();
  });

  it('is fresh from Prometheus, then stale with its age or degraded to the embedded store, never failing', async () => {
    let now = Date.now();
    const clock = () => now;
    const prometheusOnly = new StaleAwareQuery({
      sources: [{ name: 'prometheus', url: promUrl }],
      timeoutMs: 2_000,
      now: clock,
    });
    const withFallback = new StaleAwareQuery({
      sources: [
        { name: 'prometheus', url: promUrl },
        { name: 'embedded', url: telemetry.url! },
      ],
      timeoutMs: 2_000,
    });
    const fresh = await waitFor('Prometheus to have scraped 5 requests', async () => {
      const answer = await prometheusOnly.instant(QUERY);
      return answer.result[0]?.value[1] === '5' ? answer : undefined;
    });
    expect(fresh).toMatchObject({ status: 'fresh', source: 'prometheus', age_seconds: 0, errors: [] });
    expect(fresh.result[0]?.metric).toEqual({ pool: 'residential' });

    await server!.stop();
    server = undefined;
    // Recording and the service's own /metrics do not depend on Prometheus.
    metrics.recordRequest('residential', 'eu-west', 'error', 1.5);
    const body = await (await fetch(`${telemetry.url}/metrics`)).text();
    expect(body).toMatch(
      /^proxywhirl_requests_total\{pool="residential",region="eu-west",status="error"[^}]*\} 1$/m,
    );

    now += 42_000;
    const stale = await prometheusOnly.instant(QUERY);
    expect(stale).toMatchObject({
      status: 'stale',
      source: 'prometheus',
      age_seconds: 42,
      result: fresh.result,
    });
    expect(stale.fetched_at).toBe(fresh.fetched_at);
    expect(stale.errors).toEqual([expect.stringMatching(/^prometheus: unreachable \(ECONNREFUSED\)$/)]);

    const degraded = await waitFor('the embedded store to count 6 requests', async () => {
      const answer = await withFallback.instant(QUERY);
      return answer.result[0]?.value[1] === '6' ? answer : undefined;
    });
    expect(degraded).toMatchObject({ status: 'degraded', source: 'embedded', age_seconds: 0 });
    expect(degraded.errors[0]).toMatch(/^prometheus: unreachable/);

    const never = await prometheusOnly.instant('sum(proxywhirl_alerts_active)');
    expect(never).toMatchObject({ status: 'unavailable', result: [], source: undefined });
  }, 60_000);

  it('refuses an oversized answer instead of reading it, and reports a bad query', async () => {
    const small = new StaleAwareQuery({
      sources: [{ name: 'embedded', url: telemetry.url! }],
      maxResponseBytes: 64,
    });
    const answer = await small.instant('proxywhirl_requests_total');
    expect(answer.status).toBe('unavailable');
    expect(answer.errors[0]).toMatch(/^embedded: response .*exceeds the 64-byte limit$/);
    const bad = await new StaleAwareQuery({ sources: [{ name: 'embedded', url: telemetry.url! }] }).instant(
      'sum(',
    );
    expect(bad.status).toBe('unavailable');
    expect(bad.errors[0]).toMatch(/^embedded: (HTTP 400|query failed)/);
  });
});
