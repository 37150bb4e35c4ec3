/**
 * `startOrchestrator()`: the Redis-backed job orchestrator with its telemetry. Producers call `enqueue()`;
 * each queue has its own worker pool (tracked with the pool kit), Redis is health-checked with the
 * dependency kit, and queue depths are read from Redis at collection time.
 */

import type { Logger, Telemetry, TrackedDependency, TrackedPool } from '@yardstick/sdk';
import type { Redis } from 'ioredis';
import { OrchestratorError } from './errors.ts';
import type { BackoffPolicy } from './jobs/backoff.ts';
import { createJob, encodeJob } from './jobs/job.ts';
import { createJobMetrics, type JobMetrics, QUEUE_ATTRIBUTE, TYPE_ATTRIBUTE } from './metrics/job-metrics.ts';
import { observeQueueDepth, type QueueDepthObserver } from './metrics/queue-depth.ts';
import { connectRedis, describeRedisUrl } from './redis/connect-redis.ts';
import { JobQueue } from './redis/job-queue.ts';
import { QueueWorkers, type WorkersStopped } from './workers/queue-workers.ts';
import type { JobHandler } from './workers/run-attempt.ts';

/** One queue: its workers and the job types they run. */
export interface QueueOptions {
  /** Jobs of this queue run at once (the worker pool's size). */
  readonly concurrency: number;
  /** Handlers by job type. */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** The longest one attempt may run (ms); default 30 000. */
  readonly timeoutMs?: number;
  /** Attempts before a job is dead-lettered, unless `enqueue()` says otherwise; default 3. */
  readonly maxAttempts?: number;
  /** Retry delays; default 1 s doubling up to 5 minutes. */
  readonly backoff?: BackoffPolicy;
}

/** Options of {@link startOrchestrator}. */
export interface OrchestratorOptions {
  /** `redis://[user:password@]host:port[/db]`; never logged or exported with its password. */
  readonly redisUrl: string;
  /** The queues by name. */
  readonly queues: Readonly<Record<string, QueueOptions>>;
  /** The first part of every Redis key; default `jobs`. */
  readonly keyPrefix?: string;
  /** How long a blocking take waits (s); bounds how long `stop()` waits for the dispatchers. Default 1. */
  readonly pollSeconds?: number;
  /** How often due retries are moved to the ready list (ms); default 250. */
  readonly promoteIntervalMs?: number;
  /** The Redis health check (PING): interval and timeout (ms); defaults 10 000 and 1 000. */
  readonly healthCheck?: { readonly intervalMs?: number; readonly timeoutMs?: number };
  /** The longest a metrics collection waits for the queue depths (ms); default 500. */
  readonly depthTimeoutMs?: number;
  /** How long the first connection to Redis may take (ms); default 3 000. */
  readonly connectTimeoutMs?: number;
  /** Told how each attempt ended (`asdlc_events_processed_total` counts with it). */
  readonly onProcessed?: (status: 'success' | 'failed') => void;
}

/** Options of one `enqueue()`. */
export interface EnqueueOptions {
  /** Attempts before the job is dead-lettered; default the queue's `maxAttempts`. */
  readonly maxAttempts?: number;
}

/** A running orchestrator. */
export interface Orchestrator {
  /**
   * Adds a job; resolves with its id once Redis has it. Rejects with Redis's error while Redis is away
   * (the producer decides whether to retry), and with `UNKNOWN_QUEUE` for a queue not configured here.
   */
  enqueue(queue: string, type: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /** Jobs running now, across all queues. */
  busy(): number;
  /** The Redis health check (for a readiness endpoint). */
  readonly redisHealth: TrackedDependency;
  /**
   * The connection every non-blocking command goes through, to instrument or inspect; `stop()` closes it.
   */
  readonly redis: Redis;
  /**
   * Stops taking jobs, lets running ones finish within `graceMs` (default 10 000), gives the rest back to
   * their queues, and closes the Redis connections. Idempotent.
   */
  stop(graceMs?: number): Promise<WorkersStopped>;
}

const DEFAULTS = {
  keyPrefix: 'jobs',
  pollSeconds: 1,
  promoteIntervalMs: 250,
  healthIntervalMs: 10_000,
  healthTimeoutMs: 1_000,
  depthTimeoutMs: 500,
  connectTimeoutMs: 3_000,
  timeoutMs: 30_000,
  maxAttempts: 3,
  backoff: { baseMs: 1_000, maxMs: 300_000 },
  graceMs: 10_000,
} as const;
/** The reply deadline of non-blocking commands (ms): a stalled Redis fails a command instead of hanging it. */
const COMMAND_TIMEOUT_MS = 2_000;
/** How long past its own timeout a blocking take may go unanswered before it counts as empty (ms). */
const BLOCKING_GRACE_MS = 2_000;
/** The longest pause between reconnection attempts: an outage is noticed within a second of its end. */
const MAX_RECONNECT_DELAY_MS = 1_000;

interface QueueRuntime {
  readonly queue: JobQueue;
  readonly workers: QueueWorkers;
  readonly pool: TrackedPool;
  readonly maxAttempts: number;
}

/**
 * Connects to Redis, puts back jobs a previous run left unfinished, and starts the workers of every queue.
 *
 * @throws OrchestratorError `REDIS_UNAVAILABLE` when Redis cannot be reached; `INVALID_OPTIONS` for a queue
 *   without workers
 * @example
 * ```ts
 * const telemetry = await startTelemetry({ serviceName: 'jobs' });
 * const orchestrator = await startOrchestrator(telemetry, {
 *   redisUrl: 'redis://127.0.0.1:6379',
 *   queues: { emails: { concurrency: 4, handlers: { welcome: async (job, signal) => send(job.payload, signal) } } },
 * });
 * await orchestrator.enqueue('emails', 'welcome', { to: 'ada@example.com' });
 * ```
 */
export async function startOrchestrator(
  telemetry: Telemetry,
  options: OrchestratorOptions,
): Promise<Orchestrator> {
  const logger: Logger = telemetry.logger;
  for (const [name, queue] of Object.entries(options.queues)) {
    if (!Number.isSafeInteger(queue.concurrency) || queue.concurrency < 1) {
      throw new OrchestratorError('INVALID_OPTIONS', `queue ${name}: concurrency must be a positive integer`);
    }
  }
  const meter = telemetry.meter('job-orchestrator', '0.1.0');
  const connect = (name: string, timeouts: { commandTimeoutMs: number } | { blockingGraceMs: number }) =>
    connectRedis(options.redisUrl, {
      name,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxReconnectDelayMs: MAX_RECONNECT_DELAY_MS,
      logger,
      ...timeouts,
    });
  const commands = await connect('orchestrator', { commandTimeoutMs: COMMAND_TIMEOUT_MS });
  const opened: Redis[] = [commands];
  const pools: TrackedPool[] = [];
  try {
    const metrics = createJobMetrics(meter);
    const runtimes = new Map<string, QueueRuntime>();
    for (const [name, queueOptions] of Object.entries(options.queues)) {
      // Each queue's blocking take holds a connection of its own for up to pollSeconds.
      const blocking = await connect(`orchestrator:${name}:take`, { blockingGraceMs: BLOCKING_GRACE_MS });
      opened.push(blocking);
      runtimes.set(name, await startQueue(name, queueOptions, commands, blocking, metrics));
    }
    const depth: QueueDepthObserver = observeQueueDepth(
      meter,
      [...runtimes.values()].map((runtime) => runtime.queue),
      { timeoutMs: options.depthTimeoutMs ?? DEFAULTS.depthTimeoutMs, logger },
    );
    const redisHealth = telemetry.trackDependency({
      name: 'redis',
      attributes: { 'db.system.name': 'redis' },
      intervalMs: options.healthCheck?.intervalMs ?? DEFAULTS.healthIntervalMs,
      timeoutMs: options.healthCheck?.timeoutMs ?? DEFAULTS.healthTimeoutMs,
      check: async () => (await commands.ping()) === 'PONG',
    });
    // Workers start once every queue is set up, so a failed setup leaves no dispatcher running.
    for (const runtime of runtimes.values()) runtime.workers.start();
    logger.info(
      { redis: describeRedisUrl(options.redisUrl), queues: [...runtimes.keys()] },
      'job orchestrator started',
    );
    return orchestratorOf(runtimes, commands, opened, metrics, depth, redisHealth, logger);
  } catch (error) {
    for (const pool of pools) pool.close();
    for (const connection of opened) connection.disconnect();
    throw error;
  }

  async function startQueue(
    name: string,
    queueOptions: QueueOptions,
    commands: Redis,
    blocking: Redis,
    metrics: JobMetrics,
  ): Promise<QueueRuntime> {
    const queue = new JobQueue(commands, name, options.keyPrefix ?? DEFAULTS.keyPrefix);
    const requeued = await queue.requeueRunning();
    if (requeued > 0)
      logger.warn({ queue: name, jobs: requeued }, 'requeued jobs a previous run left unfinished');
    // The pool kit on yardstick's provider: its `metrics.pools` switch and logger apply.
    const pool = telemetry.trackPool({
      name: 'workers',
      attributes: { [QUEUE_ATTRIBUTE]: name },
      size: () => queueOptions.concurrency,
      max: () => queueOptions.concurrency,
    });
    pools.push(pool);
    const workers = new QueueWorkers({
      queue,
      blocking,
      concurrency: queueOptions.concurrency,
      handlers: queueOptions.handlers,
      timeoutMs: queueOptions.timeoutMs ?? DEFAULTS.timeoutMs,
      backoff: queueOptions.backoff ?? DEFAULTS.backoff,
      pollSeconds: options.pollSeconds ?? DEFAULTS.pollSeconds,
      promoteIntervalMs: options.promoteIntervalMs ?? DEFAULTS.promoteIntervalMs,
      metrics,
      pool,
      onProcessed: options.onProcessed,
      logger,
    });
    return { queue, workers, pool, maxAttempts: queueOptions.maxAttempts ?? DEFAULTS.maxAttempts };
  }
}

function orchestratorOf(
  runtimes: ReadonlyMap<string, QueueRuntime>,
  commands: Redis,
  opened: readonly Redis[],
  metrics: JobMetrics,
  depth: QueueDepthObserver,
  redisHealth: TrackedDependency,
  logger: Logger,
): Orchestrator {
  let stopped: Promise<WorkersStopped> | undefined;
  return {
    redisHealth,
    redis: commands,
    busy: () => [...runtimes.values()].reduce((sum, runtime) => sum + runtime.workers.busy, 0),
    async enqueue(queueName, type, payload, enqueueOptions = {}) {
      const runtime = runtimes.get(queueName);
      if (runtime === undefined) {
        throw new OrchestratorError(
          'UNKNOWN_QUEUE',
          `no queue named ${JSON.stringify(queueName)} is configured`,
        );
      }
      const job = createJob(queueName, type, payload, enqueueOptions.maxAttempts ?? runtime.maxAttempts);
      await runtime.queue.push(encodeJob(job));
      // Bounded like the workers' attributes: a type without a handler is recorded as _OTHER.
      const knownType = Object.hasOwn(runtime.workers.handlers, type) ? type : '_OTHER';
      metrics.enqueued.add(1, { [QUEUE_ATTRIBUTE]: queueName, [TYPE_ATTRIBUTE]: knownType });
      return job.id;
    },
    stop(graceMs = DEFAULTS.graceMs) {
      stopped ??= (async () => {
        const results = await Promise.all(
          [...runtimes.values()].map((runtime) => runtime.workers.stop(graceMs)),
        );
        redisHealth.stop();
        depth.stop();
        for (const runtime of runtimes.values()) runtime.pool.close();
        await commands.quit().catch(() => undefined);
        for (const connection of opened) connection.disconnect();
        const total = results.reduce(
          (sum, result) => ({
            finished: sum.finished + result.finished,
            givenBack: sum.givenBack + result.givenBack,
            leftRunning: sum.leftRunning + result.leftRunning,
          }),
          { finished: 0, givenBack: 0, leftRunning: 0 },
        );
        logger.info(total, 'job orchestrator stopped');
        return total;
      })();
      return stopped;
    },
  };
}
