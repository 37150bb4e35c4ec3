/**
 * End to end with a real VictoriaMetrics 1.79 and redis-server: VictoriaMetrics scrapes the orchestrator and
 * two worker services every second (`-promscrape.config`, the job names of SCRAPE_CONFIG.md), jobs go
 * through the orchestrator's API, and the orchestrator's query proxy answers exactly what VictoriaMetrics
 * answers itself; once VictoriaMetrics is gone the proxy says so with a 502.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../../test/support/peers.ts';
import { waitFor } from '../../../../test/support/wait-for.ts';
import { type AsdlcStack, postJob, startAsdlcStack } from '../testing/asdlc-stack.ts';
import { redisPeer as redis } from '../testing/redis-server.ts';

const victoria = peer('victoria-metrics');

interface PromAnswer {
  status: string;
  data: {
    resultType: string;
    result: { metric: Record<string, string>; value?: unknown; values?: unknown[] }[];
  };
}

describe.skipIf(victoria.skipReason !== undefined || redis.skipReason !== undefined)(
  'the orchestrator query proxy against a real VictoriaMetrics scraping the asdlc services',
  () => {
    const work = tempDir('yardstick-asdlc-vm-');
    let vm: RunningPeer | undefined;
    let stack: AsdlcStack;
    let vmUrl = '';

    beforeAll(async () => {
      const vmPort = await freePort();
      vmUrl = `http://127.0.0.1:${vmPort}`;
      stack = await startAsdlcStack({ workers: 2, victoriaMetricsUrl: vmUrl });
      const hostPort = (url: string) => new URL(url).host;
      const config = join(work.dir, 'promscrape.yml');
      writeFileSync(
        config,
        [
          'global:',
          '  scrape_interval: 1s',
          'scrape_configs:',
          '  - job_name: asdlc-orchestrator',
          '    static_configs:',
          `      - targets: ['${hostPort(stack.orchestrator.url)}']`,
          '  - job_name: asdlc-workers',
          '    static_configs:',
          `      - targets: [${stack.workers.map((w) => `'${hostPort(w.url)}'`).join(', ')}]`,
          '',
        ].join('\n'),
      );
      vm = await startPeer(
        victoria.path!,
        [
          `-storageDataPath=${join(work.dir, 'data')}`,
          `-httpListenAddr=127.0.0.1:${vmPort}`,
          `-promscrape.config=${config}`,
          // Fresh samples are queryable at once, and neither query is answered from a cache.
          '-search.latencyOffset=0s',
          '-search.disableCache',
          '-loggerLevel=ERROR',
        ],
        `${vmUrl}/health`,
      );
    }, 60_000);

    afterAll(async () => {
      await vm?.stop();
      await stack?.stop();
      work.cleanup();
    });

    const vmQuery = async (query: string): Promise<PromAnswer> =>
      (await (await fetch(`${vmUrl}/api/v1/query?${new URLSearchParams({ query })}`)).json()) as PromAnswer;

    it('answers query_range, services and health as VictoriaMetrics does', async () => {
      const jobs = 20;
      for (let i = 0; i < jobs; i++)
        expect(await postJob(stack.orchestrator.url, i % 4 === 3 ? 'bad' : 'ok')).toBe(202);

      // All three targets scraped, and every job's outcome arrived in VictoriaMetrics.
      await waitFor(
        'VictoriaMetrics to have scraped 3 targets and all 20 processed jobs',
        async () => {
          await fetch(`${vmUrl}/internal/force_flush`);
          const up = await vmQuery('sum(up)');
          const events = await vmQuery('sum(asdlc_events_processed_total{job="asdlc-workers"})');
          const value = (answer: PromAnswer) =>
            Number((answer.data.result[0]?.value as [number, string])?.[1]);
          return value(up) === 3 && value(events) === jobs ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      // The range ends just after that moment, and is queried once it is 2 s past: every scrape in it has
      // landed, so both answers see the same samples.
      const end = Math.ceil(Date.now() / 1000) + 1;
      await sleep(Math.max(0, (end + 2) * 1000 - Date.now()));
      await fetch(`${vmUrl}/internal/force_flush`);
      const queries = [
        'asdlc_events_processed_total',
        'sum by (service, endpoint, status) (asdlc_requests_total)',
        'asdlc_service_info',
        'histogram_quantile(0.9, sum by (le, service, operation) (rate(asdlc_redis_latency_seconds_bucket[5s])))',
        'asdlc_active_workers',
      ];
      for (const query of queries) {
        const params = new URLSearchParams({ query, start: String(end - 20), end: String(end), step: '1s' });
        const viaProxy = await fetch(`${stack.orchestrator.url}/api/metrics/query_range?${params}`);
        const direct = await fetch(`${vmUrl}/api/v1/query_range?${params}`);
        expect(viaProxy.status, query).toBe(200);
        const proxied = (await viaProxy.json()) as PromAnswer;
        expect(proxied, query).toEqual(await direct.json());
        expect(proxied.data.result.length, query).toBeGreaterThan(0);
      }

      // The workers' events by instance: both workers reported, and they add up to the jobs sent.
      const params = new URLSearchParams({
        query: 'sum by (instance, status) (asdlc_events_processed_total{job="asdlc-workers"})',
        start: String(end),
        end: String(end),
        step: '1s',
      });
      const byInstance = (await (
        await fetch(`${stack.orchestrator.url}/api/metrics/query_range?${params}`)
      ).json()) as PromAnswer;
      const instances = new Set(byInstance.data.result.map((series) => series.metric.instance));
      expect(instances).toEqual(new Set(stack.workers.map((worker) => new URL(worker.url).host)));
      const total = byInstance.data.result.reduce(
        (sum, series) => sum + Number((series.values!.at(-1) as [number, string])[1]),
        0,
      );
      expect(total).toBe(jobs);

      const services = (await (await fetch(`${stack.orchestrator.url}/api/metrics/services`)).json()) as {
        data: { services: { service: string; version: string; job: string; instance: string }[] };
      };
      const reference = (await vmQuery('asdlc_service_info')).data.result
        .map(({ metric }) => ({
          service: metric.service,
          version: metric.version,
          job: metric.job,
          instance: metric.instance,
        }))
        .sort((a, b) => `${a.service} ${a.instance}`.localeCompare(`${b.service} ${b.instance}`));
      expect(services.data.services).toEqual(reference);
      expect(services.data.services.map((s) => `${s.job}/${s.service}`)).toEqual([
        'asdlc-orchestrator/orchestrator',
        'asdlc-workers/workers',
        'asdlc-workers/workers',
      ]);

      const health = await fetch(`${stack.orchestrator.url}/api/metrics/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'success',
        data: { victoriametrics: 'up', upstream: vmUrl },
      });

      // A query VictoriaMetrics cannot parse: its own message, as a 400.
      const bad = await fetch(
        `${stack.orchestrator.url}/api/metrics/query_range?${new URLSearchParams({ query: 'sum(', start: String(end - 5), end: String(end) })}`,
      );
      const badBody = (await bad.json()) as { errorType: string; error: string };
      expect([bad.status, badBody.errorType]).toEqual([400, 'bad_data']);
      expect(badBody.error).toMatch(/^VictoriaMetrics rejected the query: /);
    }, 60_000);

    it('answers 502 once VictoriaMetrics is gone', async () => {
      await vm?.stop();
      const res = await fetch(`${stack.orchestrator.url}/api/metrics/health`);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ status: 'error', errorType: 'upstream_unreachable' });
    });
  },
);
