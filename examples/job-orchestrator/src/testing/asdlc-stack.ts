/**
 * The asdlc services for this example's tests: a real redis-server, the orchestrator's API and `workers`
 * worker services, each with a telemetry pipeline of its own (as separate processes would have), on free
 * 127.0.0.1 ports. Test-only: excluded from the build.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { freePort, tempDir } from '../../../../test/support/peers.ts';
import type { Job } from '../jobs/job.ts';
import type { QueueOptions } from '../orchestrator.ts';
import { type OrchestratorService, startOrchestratorService } from '../services/orchestrator-service.ts';
import { startWorkerService, type WorkerService } from '../services/worker-service.ts';
import { startRedisServer } from './redis-server.ts';

/** A job failure of the test queue. */
export class TaskError extends Error {
  override name = 'TaskError';
}

/** The test queue: `ok` jobs succeed after 5 ms, `bad` ones fail (one attempt, so they are dead-lettered). */
export const TEST_QUEUES: Readonly<Record<string, QueueOptions>> = {
  tasks: {
    concurrency: 2,
    maxAttempts: 1,
    handlers: {
      ok: async (_job: Job, signal: AbortSignal) => sleep(5, undefined, { signal }),
      bad: async () => {
        throw new TaskError('always fails');
      },
    },
  },
};

/** A running stack; `stop()` ends everything it started. */
export interface AsdlcStack {
  readonly redisUrl: string;
  readonly orchestrator: OrchestratorService;
  readonly workers: readonly WorkerService[];
  stop(): Promise<void>;
}

/** Starts redis-server, `workers` worker services and the orchestrator (proxying to `victoriaMetricsUrl`). */
export async function startAsdlcStack(options: {
  workers: number;
  victoriaMetricsUrl?: string;
  proxyTimeoutMs?: number;
}): Promise<AsdlcStack> {
  const stops: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const data = tempDir('yardstick-asdlc-');
    stops.push(data.cleanup);
    const port = await freePort();
    const redis = await startRedisServer(port, data.dir);
    stops.push(() => redis.stop());
    const redisUrl = `redis://127.0.0.1:${port}`;
    const telemetryOf = async (serviceName: string): Promise<Telemetry> => {
      const telemetry = await startTelemetry({
        env: {},
        configFile: false,
        logger: silentLogger,
        registerGlobal: false,
        serviceName,
        server: { enabled: false },
        store: { enabled: false },
      });
      stops.push(() => telemetry.shutdown());
      return telemetry;
    };
    const workers: WorkerService[] = [];
    for (let i = 0; i < options.workers; i++) {
      const worker = await startWorkerService({
        telemetry: await telemetryOf('asdlc-workers'),
        redisUrl,
        queues: TEST_QUEUES,
        version: '0.1.0',
        port: 0,
        workerId: `worker-${i + 1}`,
        pollSeconds: 0.2,
        heartbeatMs: 500,
        healthCheck: { intervalMs: 1_000, timeoutMs: 500 },
      });
      stops.push(() => worker.stop(1_000));
      workers.push(worker);
    }
    const orchestrator = await startOrchestratorService({
      telemetry: await telemetryOf('asdlc-orchestrator'),
      redisUrl,
      version: '0.1.0',
      port: 0,
      victoriaMetricsUrl: options.victoriaMetricsUrl,
      ...(options.proxyTimeoutMs === undefined ? {} : { proxyTimeoutMs: options.proxyTimeoutMs }),
      queues: { tasks: { types: ['ok', 'bad'], maxAttempts: 1 } },
      healthCheck: { intervalMs: 1_000, timeoutMs: 500 },
    });
    stops.push(() => orchestrator.stop());
    return { redisUrl, orchestrator, workers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** POSTs a job to the orchestrator's API; resolves with the answer's status. */
export async function postJob(orchestratorUrl: string, type: string): Promise<number> {
  const res = await fetch(`${orchestratorUrl}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ queue: 'tasks', type, payload: { n: 1 } }),
  });
  await res.arrayBuffer();
  return res.status;
}
