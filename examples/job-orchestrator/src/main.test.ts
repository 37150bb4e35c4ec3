/**
 * The runnable demo: without Redis it says so in one clear message and exits 1; with a real redis-server
 * it runs jobs that show up on /metrics and stops cleanly on SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, tempDir } from '../../../test/support/peers.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import { sampleValue } from './testing/exposition.ts';
import { redisPeer as redis, startRedisServer } from './testing/redis-server.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const stops: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Starts the demo against `redisUrl` with ephemeral telemetry ports; collects what it prints. */
function startDemo(
  redisUrl: string,
  extraEnv: Record<string, string> = {},
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      JOBS_PER_SECOND: '40',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      ORCHESTRATOR_PORT: '0',
      WORKER_PORT: '0',
      YARDSTICK_COLLECT_INTERVAL: '1s',
      YARDSTICK_LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stops.push(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('job orchestrator demo', () => {
  it('says Redis is unreachable in one message, without a stack trace or the password, and exits 1', async () => {
    const port = await freePort();
    const demo = startDemo(`redis://demo:hunter2@127.0.0.1:${port}`);
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(demo.output()).toContain('set REDIS_URL');
    expect(demo.output()).not.toContain('hunter2');
    expect(demo.output()).not.toMatch(/^\s+at /m);
  });

  it('names the variable in one line and exits 1 when ASDLC_SERVICES or a port is wrong', async () => {
    for (const [name, value, message] of [
      [
        'ASDLC_SERVICES',
        'orchestrator,api',
        'ASDLC_SERVICES="orchestrator,api": give orchestrator, workers or both',
      ],
      ['ORCHESTRATOR_PORT', '80a', 'ORCHESTRATOR_PORT="80a" is no port: give a number from 0'],
    ] as const) {
      const demo = startDemo('redis://127.0.0.1:1', { [name]: value });
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain(message);
      expect(demo.output()).not.toMatch(/^\s+at /m);
    }
  });

  it.skipIf(redis.skipReason !== undefined)(
    'runs jobs that /metrics counts and stops cleanly on SIGINT',
    async () => {
      const port = await freePort();
      const data = tempDir('yardstick-job-demo-');
      stops.push(data.cleanup);
      const server = await startRedisServer(port, data.dir);
      stops.push(() => server.stop());

      const demo = startDemo(`redis://127.0.0.1:${port}`);
      const metricsUrl = await waitFor(
        'the demo to print its metrics URL',
        () => /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(demo.output())?.[1],
        { timeoutMs: 15_000 },
      );
      const body = await waitFor(
        'completed and retried jobs on /metrics',
        async () => {
          const text = await (await fetch(metricsUrl)).text();
          const done = /^jobs_completed_total\{[^}]*job_queue="emails"/m.test(text);
          return done && /^jobs_retried_total\{/m.test(text) ? text : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(body).toMatch(/^pool_limit\{job_queue="emails",pool_name="workers"[^}]*\} 4$/m);
      expect(body).toMatch(/^dependency_up\{[^}]*dependency_name="redis"[^}]*\} 1$/m);

      // The asdlc services: the orchestrator's API and the workers' endpoints, each with its own /metrics.
      const orchestrator = /orchestrator:\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(demo.output())![1]!;
      const workers = /workers:\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(demo.output())![1]!;
      expect(demo.output()).toContain('query proxy:   off (set VICTORIAMETRICS_URL)');
      const health = await fetch(`${orchestrator}/health`);
      expect([health.status, await health.json()]).toEqual([
        200,
        { status: 'healthy', service: 'orchestrator', version: '0.1.0', redis: 'up' },
      ]);
      const orchestratorMetrics = await waitFor(
        'the orchestrator to count enqueued jobs and see the workers',
        async () => {
          const text = await (await fetch(`${orchestrator}/metrics`)).text();
          const enqueued = sampleValue(text, 'jobs_enqueued_total', { job_queue: 'emails' }) ?? 0;
          const workers = sampleValue(text, 'asdlc_active_workers', { service: 'orchestrator' }) ?? 0;
          return enqueued > 0 && workers === 6 ? text : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(
        sampleValue(orchestratorMetrics, 'asdlc_service_info', { service: 'orchestrator', version: '0.1.0' }),
      ).toBe(1);
      expect(
        sampleValue(orchestratorMetrics, 'asdlc_requests_total', {
          service: 'orchestrator',
          method: 'GET',
          endpoint: '/health',
          status: '200',
        }),
      ).toBe(1);
      expect((await fetch(`${workers}/health`)).status).toBe(200);
      const stats = (await (await fetch(`${workers}/stats`)).json()) as { service: string; workers: number };
      expect([stats.service, stats.workers]).toEqual(['workers', 6]);
      const workerMetrics = await (await fetch(`${workers}/metrics`)).text();
      expect(
        sampleValue(workerMetrics, 'asdlc_events_processed_total', { service: 'workers', status: 'success' }),
      ).toBeGreaterThan(0);
      expect(
        sampleValue(workerMetrics, 'asdlc_requests_total', { service: 'workers', endpoint: '/stats' }),
      ).toBe(1);

      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      expect(demo.output()).toMatch(/stopped cleanly \(\d+ finished, 0 put back in their queues\)/);
    },
    30_000,
  );
});
