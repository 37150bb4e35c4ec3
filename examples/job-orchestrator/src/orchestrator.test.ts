/**
 * End to end against a real redis-server: jobs that succeed, fail once, always fail, time out once, have no
 * handler or are no job at all are counted exactly as scheduled on /metrics and in the embedded store;
 * then Redis stops (the RedisDown rule of rules/jobs.rules.yml reaches a webhook, the workers keep going)
 * and comes back (health recovers, jobs run again).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tempDir } from '../../../test/support/peers.ts';
import { waitFor } from '../../../test/support/wait-for.ts';
import { createJob, encodeJob, type Job } from './jobs/job.ts';
import { type Orchestrator, startOrchestrator } from './orchestrator.ts';
import { redisPeer as redis, startRedisServer } from './testing/redis-server.ts';

const tmp = tempDir('yardstick-job-orchestrator-');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  tmp.cleanup();
});

/** The sum of every sample of `name` on an exposition whose labels include `labels`. */
function sampleSum(body: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([\w]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/** A webhook receiver collecting the alerts it is sent. */
async function startWebhook(): Promise<{ url: string; alerts: WebhookAlert[] }> {
  const alerts: WebhookAlert[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      alerts.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, alerts };
}

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
}

/**
 * The example's rule file with every group evaluated each second and every `for` at 1 s, so the test sees
 * the real expressions fire in seconds instead of minutes.
 */
function fastRules(): string {
  const original = readFileSync(new URL('../rules/jobs.rules.yml', import.meta.url), 'utf8');
  const fast = original
    .replace(/^( {4}rules:)$/gm, '    interval: 1s\n$1')
    .replace(/^(\s+)for: \S+$/gm, '$1for: 1s');
  expect(fast.match(/interval: 1s/g)).toHaveLength(1);
  const file = join(tmp.dir, 'jobs.rules.yml');
  writeFileSync(file, fast);
  return file;
}

/** A logger keeping what it is given, to check that nothing went wrong at error level. */
function recordingLogger(): Logger & { entries: { level: string; msg: string | undefined }[] } {
  const entries: { level: string; msg: string | undefined }[] = [];
  const at = (level: string) => (_obj: object, msg?: string) => {
    entries.push({ level, msg });
  };
  return { entries, debug() {}, info: at('info'), warn: at('warn'), error: at('error') };
}

class TransientError extends Error {
  override name = 'TransientError';
}

/** Handlers whose outcome depends only on the attempt, so the counts below follow from the schedule. */
const handlers = {
  ok: async () => sleep(5),
  flaky: async (job: Job) => {
    if (job.attempts === 0) throw new TransientError('first attempt fails');
  },
  broken: async () => {
    throw new TransientError('always fails');
  },
  slow: async (job: Job, signal: AbortSignal) => {
    if (job.attempts === 0) await sleep(5_000, undefined, { signal });
  },
};

describe.skipIf(redis.skipReason !== undefined)('job orchestrator against a real Redis', () => {
  it('counts every attempt as scheduled, alerts on a Redis outage without crashing, and recovers', async () => {
    const redisPort = await freePort();
    let redisServer = await startRedisServer(redisPort, tmp.dir);
    cleanups.push(() => redisServer.stop());
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const webhook = await startWebhook();
    const logger = recordingLogger();
    const telemetry: Telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger,
      registerGlobal: false,
      server: { port: 0 },
      collectIntervalMs: 250,
      alerting: {
        ruleFiles: [fastRules()],
        channels: [{ name: 'oncall', type: 'webhook', url: webhook.url }],
      },
    });
    cleanups.push(() => telemetry.shutdown());
    const orchestrator: Orchestrator = await startOrchestrator(telemetry, {
      redisUrl,
      keyPrefix: 'test',
      pollSeconds: 0.2,
      promoteIntervalMs: 50,
      healthCheck: { intervalMs: 250, timeoutMs: 500 },
      depthTimeoutMs: 1_000,
      queues: {
        work: {
          concurrency: 3,
          timeoutMs: 1_000,
          maxAttempts: 3,
          backoff: { baseMs: 20, maxMs: 100 },
          handlers,
        },
      },
    });
    cleanups.push(() => orchestrator.stop(1_000));
    const scrape = async () => (await fetch(`${telemetry.url}/metrics`)).text();
    const query = async (expr: string) => {
      const url = `${telemetry.url}/api/v1/query?query=${encodeURIComponent(expr)}`;
      const answer = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
      return answer.data.result[0] === undefined ? undefined : Number(answer.data.result[0].value[1]);
    };

    // 6 ok, 4 flaky (fail once), 2 broken (fail 3 times), 1 slow (times out once), 1 without a handler,
    // and one entry that is no job at all.
    const schedule = { ok: 6, flaky: 4, broken: 2, slow: 1, mystery: 1 };
    const ids: string[] = [];
    for (const [type, count] of Object.entries(schedule)) {
      for (let i = 0; i < count; i++)
        ids.push(await orchestrator.enqueue('work', type, { secret: `s-${i}` }));
    }
    const raw = new Redis(redisUrl, { lazyConnect: true });
    await raw.connect();
    await raw.lpush('test:work:ready', 'not a job');
    raw.disconnect();

    const body = await waitFor(
      'every job to end and the queue to drain',
      async () => {
        const text = await scrape();
        const open = ['ready', 'running', 'delayed'].map((state) =>
          sampleSum(text, 'jobs_queue_depth', { job_queue: 'work', job_state: state }),
        );
        const ended = sampleSum(text, 'jobs_completed_total') + sampleSum(text, 'jobs_dead_lettered_total');
        return ended === 11 + 4 && open.every((n) => n === 0) ? text : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const count = (name: string, labels: Record<string, string> = {}) =>
      sampleSum(body, name, { job_queue: 'work', ...labels });
    expect(count('jobs_enqueued_total')).toBe(14);
    expect(count('jobs_enqueued_total', { job_type: '_OTHER' })).toBe(1);
    expect(count('jobs_completed_total', { job_type: 'ok' })).toBe(6);
    expect(count('jobs_completed_total', { job_type: 'flaky' })).toBe(4);
    expect(count('jobs_completed_total', { job_type: 'slow' })).toBe(1);
    expect(count('jobs_completed_total')).toBe(11);
    expect(count('jobs_failed_total', { job_type: 'flaky', error_type: 'TransientError' })).toBe(4);
    expect(count('jobs_failed_total', { job_type: 'broken', error_type: 'TransientError' })).toBe(6);
    expect(count('jobs_failed_total', { job_type: 'slow', error_type: 'timeout' })).toBe(1);
    expect(count('jobs_failed_total', { job_type: '_OTHER', error_type: 'unknown_type' })).toBe(1);
    expect(count('jobs_failed_total')).toBe(12);
    expect(count('jobs_retried_total', { job_type: 'flaky' })).toBe(4);
    expect(count('jobs_retried_total', { job_type: 'broken' })).toBe(4);
    expect(count('jobs_retried_total', { job_type: 'slow' })).toBe(1);
    expect(count('jobs_retried_total')).toBe(9);
    expect(count('jobs_dead_lettered_total', { job_type: 'broken' })).toBe(2);
    expect(count('jobs_dead_lettered_total', { job_type: '_OTHER' })).toBe(1);
    expect(count('jobs_dead_lettered_total', { job_type: '_invalid' })).toBe(1);
    expect(count('jobs_queue_depth', { job_state: 'dead' })).toBe(4);
    // 11 successful attempts and 11 failed ones ran on a worker (the job without a handler never did)
    expect(count('jobs_duration_seconds_count')).toBe(22);
    expect(count('jobs_duration_seconds_count', { job_outcome: 'timeout' })).toBe(1);
    expect(count('pool_use_time_seconds_count', { pool_name: 'workers' })).toBe(22);
    expect(count('pool_limit', { pool_name: 'workers' })).toBe(3);
    expect(count('jobs_queue_oldest_age_seconds')).toBe(0);
    // OTel names translated with their units; no ids, payloads or Redis address in any label
    expect(body).toMatch(/^# TYPE jobs_duration_seconds histogram$/m);
    expect(body).toMatch(/^# TYPE jobs_wait_time_seconds histogram$/m);
    expect(body).toMatch(/^# TYPE jobs_completed_total counter$/m);
    expect(body).toMatch(/^# TYPE jobs_queue_depth gauge$/m);
    expect(body).toMatch(/^# TYPE jobs_queue_oldest_age_seconds gauge$/m);
    expect(body).toMatch(/^dependency_up\{[^}]*dependency_name="redis"[^}]*\} 1$/m);
    for (const id of ids) expect(body).not.toContain(id);
    expect(body).not.toContain('s-0');
    expect(body).not.toContain(`:${redisPort}`);

    // The embedded store holds the same numbers for PromQL (and for `yardstick export`).
    const stored = (expr: string, expected: number) =>
      waitFor(`${expr} == ${expected} in the store`, async () =>
        (await query(expr)) === expected ? true : undefined,
      );
    await stored('sum(jobs_completed_total{job_queue="work"})', 11);
    await stored('sum(jobs_failed_total{job_queue="work"})', 12);
    await stored('sum(jobs_retried_total{job_queue="work"})', 9);
    await stored('sum(jobs_dead_lettered_total{job_queue="work"})', 4);
    await stored('sum(jobs_duration_seconds_count{job_queue="work"})', 22);
    await stored('sum(jobs_queue_depth{job_queue="work", job_state=~"ready|running|delayed"})', 0);

    // Redis goes away: the health check fails, RedisDown reaches the webhook, and nobody crashes.
    await redisServer.stop();
    await waitFor('dependency_up 0 on /metrics', async () =>
      /^dependency_up\{[^}]*dependency_name="redis"[^}]*\} 0$/m.test(await scrape()) ? true : undefined,
    );
    const firing = await waitFor('RedisDown at the webhook', () =>
      webhook.alerts.find((a) => a.status === 'firing' && a.labels.alertname === 'RedisDown'),
    );
    expect(firing.labels).toMatchObject({ severity: 'critical', dependency_name: 'redis' });
    await expect(orchestrator.enqueue('work', 'ok', {})).rejects.toThrow();
    expect(orchestrator.busy()).toBe(0);

    // Redis comes back on the same port: health recovers within a bounded time and jobs run again.
    redisServer = await startRedisServer(redisPort, tmp.dir);
    await waitFor(
      'dependency_up 1 after Redis is back',
      async () =>
        /^dependency_up\{[^}]*dependency_name="redis"[^}]*\} 1$/m.test(await scrape()) ? true : undefined,
      { timeoutMs: 5_000, intervalMs: 100 },
    );
    await orchestrator.enqueue('work', 'ok', {});
    await waitFor('a job to complete after the outage', async () =>
      sampleSum(await scrape(), 'jobs_completed_total', { job_type: 'ok' }) === 7 ? true : undefined,
    );
    await waitFor('RedisDown resolved at the webhook', () =>
      webhook.alerts.find((a) => a.status === 'resolved' && a.labels.alertname === 'RedisDown'),
    );
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(logger.entries.some((entry) => entry.msg === 'cannot take jobs from Redis; retrying')).toBe(true);

    const stopped = await orchestrator.stop(1_000);
    expect(stopped).toEqual({ finished: 0, givenBack: 0, leftRunning: 0 });
  }, 30_000);

  it('requeues what a crashed run left, gives unfinished jobs back after the grace period, and finishes them later', async () => {
    const port = await freePort();
    const server = await startRedisServer(port, tmp.dir);
    cleanups.push(() => server.stop());
    const redisUrl = `redis://127.0.0.1:${port}`;
    const raw = new Redis(redisUrl, { lazyConnect: true });
    await raw.connect();
    cleanups.push(() => raw.disconnect());
    const telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { enabled: false },
      store: { enabled: false },
    });
    cleanups.push(() => telemetry.shutdown());
    const depth = async () => ({
      ready: await raw.llen('crash:work:ready'),
      running: await raw.llen('crash:work:running'),
    });
    const ran: string[] = [];
    const start = (longMs: number) =>
      startOrchestrator(telemetry, {
        redisUrl,
        keyPrefix: 'crash',
        pollSeconds: 0.2,
        queues: {
          work: {
            concurrency: 2,
            timeoutMs: 10_000,
            handlers: {
              long: async (job: Job, signal: AbortSignal) => {
                await sleep(longMs, undefined, { signal });
                ran.push(job.id);
              },
            },
          },
        },
      });

    // A previous run died with a job in `running`: the next start puts it back and runs it.
    const orphan = createJob('work', 'long', null, 3);
    await raw.lpush('crash:work:running', encodeJob(orphan));
    const first = await start(5_000);
    await waitFor('the orphan to be taken again', () => (first.busy() === 1 ? true : undefined));
    await first.enqueue('work', 'long', null);
    await waitFor('both workers busy', () => (first.busy() === 2 ? true : undefined));

    // Jobs still running when the grace period ends go back to the front of the queue, not lost.
    expect(await first.stop(300)).toEqual({ finished: 0, givenBack: 2, leftRunning: 0 });
    expect(await depth()).toEqual({ ready: 2, running: 0 });
    expect(ran).toEqual([]);

    // Jobs that end within the grace period finish, and leave nothing behind.
    const second = await start(400);
    await waitFor('both workers busy again', () => (second.busy() === 2 ? true : undefined));
    expect(await second.stop(5_000)).toEqual({ finished: 2, givenBack: 0, leftRunning: 0 });
    expect(await depth()).toEqual({ ready: 0, running: 0 });
    expect(ran).toHaveLength(2);
    expect(ran).toContain(orphan.id);
  });
});
