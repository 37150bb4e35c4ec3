import { type Logger, silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createJob, encodeJob } from '../jobs/job.ts';
import type { QueueDepth } from '../redis/job-queue.ts';
import { type DepthSource, observeQueueDepth } from './queue-depth.ts';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function scrapeWith(queues: DepthSource[], logger: Logger = silentLogger): Promise<string> {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    store: { enabled: false },
    metrics: { process: false },
  });
  observeQueueDepth(telemetry.meter('job-orchestrator'), queues, { timeoutMs: 200, logger });
  return (await fetch(`${telemetry.url}/metrics`)).text();
}

describe('queue depth at collection time', () => {
  it('reports each state of each queue and the age of the oldest ready job', async () => {
    const oldest = encodeJob(createJob('emails', 'welcome', null, 3, Date.now() - 90_000));
    const reading: QueueDepth = { ready: 7, running: 2, delayed: 1, dead: 3, oldestReady: oldest };
    const body = await scrapeWith([
      { name: 'emails', depth: async () => reading },
      { name: 'reports', depth: async () => ({ ...reading, ready: 0, oldestReady: null }) },
    ]);
    expect(body).toMatch(/^jobs_queue_depth\{job_queue="emails",job_state="ready"[^}]*\} 7$/m);
    expect(body).toMatch(/^jobs_queue_depth\{job_queue="emails",job_state="running"[^}]*\} 2$/m);
    expect(body).toMatch(/^jobs_queue_depth\{job_queue="emails",job_state="delayed"[^}]*\} 1$/m);
    expect(body).toMatch(/^jobs_queue_depth\{job_queue="emails",job_state="dead"[^}]*\} 3$/m);
    expect(body).toMatch(/^jobs_queue_depth\{job_queue="reports",job_state="ready"[^}]*\} 0$/m);
    const age = Number(/^jobs_queue_oldest_age_seconds\{job_queue="emails"[^}]*\} (\S+)$/m.exec(body)?.[1]);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(body).toMatch(/^jobs_queue_oldest_age_seconds\{job_queue="reports"[^}]*\} 0$/m);
  });

  it('leaves the depths out of a scrape, and warns once, when Redis does not answer in time', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (_obj, msg) => warnings.push(msg ?? '') };
    // A reading that never settles stands for a Redis that accepted the connection and went silent.
    const body = await scrapeWith(
      [{ name: 'emails', depth: () => new Promise<QueueDepth>(() => {}) }],
      logger,
    );
    expect(body).not.toMatch(/^jobs_queue_depth\{/m);
    await fetch(`${telemetry!.url}/metrics`);
    expect(warnings).toEqual(['queue depth: Redis did not answer; depths are left out until it does']);
  });
});
