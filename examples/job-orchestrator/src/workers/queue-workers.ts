/**
 * The workers of one queue: a dispatcher takes a job from Redis whenever one of `concurrency` slots is
 * free (so a job never waits in this process: it waits in Redis, where every worker can see it), runs it
 * with a timeout, and moves it on: done, retried later with backoff, or dead-lettered after its last
 * attempt. A promoter moves due retries back to the ready list.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Logger, TrackedPool } from '@yardstick/sdk';
import type { Redis } from 'ioredis';
import { type BackoffPolicy, retryDelayMs } from '../jobs/backoff.ts';
import { decodeJob, encodeJob, type Job } from '../jobs/job.ts';
import {
  type AttemptOutcome,
  ERROR_TYPE_ATTRIBUTE,
  type JobMetrics,
  OUTCOME_ATTRIBUTE,
  QUEUE_ATTRIBUTE,
  TYPE_ATTRIBUTE,
} from '../metrics/job-metrics.ts';
import type { JobQueue } from '../redis/job-queue.ts';
import { type AttemptResult, type JobHandler, runAttempt } from './run-attempt.ts';

/** Options of {@link QueueWorkers}. */
export interface QueueWorkersOptions {
  readonly queue: JobQueue;
  /** A connection of its own for the blocking take. */
  readonly blocking: Redis;
  /** Jobs run at once. */
  readonly concurrency: number;
  /** Handlers by job type; a job of another type is dead-lettered at once. */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** The longest one attempt may run (ms). */
  readonly timeoutMs: number;
  readonly backoff: BackoffPolicy;
  /** How long one blocking take waits (s); also the longest `stop()` waits for the dispatcher. */
  readonly pollSeconds: number;
  /** How often due retries are moved to the ready list (ms). */
  readonly promoteIntervalMs: number;
  readonly metrics: JobMetrics;
  /** The worker pool's metrics (`trackPool`): a lease per attempt. */
  readonly pool: TrackedPool;
  /** Told how each attempt (or job that could not be attempted) ended. */
  readonly onProcessed?: ((status: 'success' | 'failed') => void) | undefined;
  readonly logger: Logger;
}

/** What `stop()` did with the jobs that were running. */
export interface WorkersStopped {
  /** Jobs that finished within the grace period. */
  readonly finished: number;
  /** Jobs still running at its end, put back at the front of the queue. */
  readonly givenBack: number;
  /** Jobs still running at its end that could not be put back (Redis away): requeued at the next start. */
  readonly leftRunning: number;
}

/** `job.type` of an entry that is no job at all (not JSON, fields missing). */
const INVALID_TYPE = '_invalid';
/** `job.type` of a job whose type has no handler: producers' typos must not become unbounded series. */
const OTHER_TYPE = '_OTHER';
const MAX_ERROR_LENGTH = 500;

interface Running {
  readonly raw: string;
  readonly giveUp: AbortController;
  done: Promise<void>;
}

interface TypeAttributes {
  readonly base: Attributes;
  readonly outcome: Readonly<Record<AttemptOutcome, Attributes>>;
}

/** The workers of one queue; `start()` them, `stop()` them once. */
export class QueueWorkers {
  readonly #options: QueueWorkersOptions;
  readonly #running = new Set<Running>();
  // Attributes per job type, built once: recording then reuses the same objects for every attempt.
  readonly #attributes = new Map<string, TypeAttributes>();
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #promoter: ReturnType<typeof setInterval> | undefined;
  #promoting = false;

  /** @param options - see {@link QueueWorkersOptions} */
  constructor(options: QueueWorkersOptions) {
    this.#options = options;
  }

  /** The handlers by job type. */
  get handlers(): Readonly<Record<string, JobHandler>> {
    return this.#options.handlers;
  }

  /** Jobs running now. */
  get busy(): number {
    return this.#running.size;
  }

  /** Starts taking jobs and promoting due retries. */
  start(): void {
    this.#loop ??= this.#dispatch();
    this.#promoter ??= setInterval(() => void this.#promote(), this.#options.promoteIntervalMs);
  }

  /**
   * Stops taking jobs, waits up to `graceMs` for the running ones, then gives the rest up: their handlers'
   * signals fire and the jobs go back to the front of the queue (at-least-once: they run again later).
   */
  async stop(graceMs: number): Promise<WorkersStopped> {
    this.#stopping = true;
    clearInterval(this.#promoter);
    this.#wakeDispatcher();
    await this.#loop;
    const running = [...this.#running];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const allDone = Promise.all(running.map((job) => job.done)).then(() => true);
    const graceOver = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finishedInTime = await Promise.race([allDone, graceOver]);
    clearTimeout(timer);
    if (finishedInTime) return { finished: running.length, givenBack: 0, leftRunning: 0 };
    let givenBack = 0;
    let leftRunning = 0;
    for (const job of this.#running) {
      job.giveUp.abort(new Error('the orchestrator is shutting down'));
      try {
        // false: the job finished (and left `running`) between the end of the grace period and now.
        if (await this.#options.queue.giveBack(job.raw)) givenBack++;
      } catch (error) {
        leftRunning++;
        this.#options.logger.error(
          { queue: this.#options.queue.name, err: messageOf(error) },
          'could not give an unfinished job back; it stays in the running list until the next start',
        );
      }
    }
    return { finished: running.length - givenBack - leftRunning, givenBack, leftRunning };
  }

  async #dispatch(): Promise<void> {
    const { queue, blocking, concurrency, pollSeconds, logger } = this.#options;
    let failures = 0;
    while (!this.#stopping) {
      if (this.#running.size >= concurrency) {
        await this.#sleep(pollSeconds * 1000);
        continue;
      }
      let raw: string | null;
      try {
        raw = await queue.take(blocking, pollSeconds);
      } catch (error) {
        if (this.#stopping) break;
        failures++;
        if (failures === 1) {
          logger.warn({ queue: queue.name, err: messageOf(error) }, 'cannot take jobs from Redis; retrying');
        }
        // Backs off up to 2 s so an outage costs a few attempts a second, not a busy loop.
        await this.#sleep(Math.min(2_000, 50 * 2 ** Math.min(failures, 6)));
        continue;
      }
      if (failures > 0) logger.info({ queue: queue.name }, 'taking jobs from Redis again');
      failures = 0;
      if (raw === null) continue;
      if (this.#stopping) {
        // Taken while stop() began: it goes straight back instead of starting after shutdown was asked for.
        await queue.giveBack(raw).catch(() => undefined);
        break;
      }
      this.#startJob(raw);
    }
  }

  /** Waits `ms`, or less when a slot frees up or `stop()` is called (only the dispatcher ever waits). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.#wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Ends the dispatcher's wait, if it is waiting. */
  #wakeDispatcher(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #startJob(raw: string): void {
    const running: Running = { raw, giveUp: new AbortController(), done: Promise.resolve() };
    this.#running.add(running);
    running.done = this.#process(raw, running.giveUp.signal)
      .catch((error: unknown) =>
        this.#options.logger.error(
          { queue: this.#options.queue.name, err: messageOf(error) },
          'could not move a job in Redis after its attempt; it stays in the running list until the next start',
        ),
      )
      .finally(() => {
        this.#running.delete(running);
        this.#wakeDispatcher();
      });
  }

  async #process(raw: string, giveUp: AbortSignal): Promise<void> {
    const { queue, handlers, metrics, logger } = this.#options;
    const job = decodeJob(raw);
    if (job === undefined) {
      logger.warn({ queue: queue.name }, 'an entry of the ready list is no job; dead-lettered as is');
      await queue.deadLetter(raw, raw);
      metrics.deadLettered.add(1, this.#attributesOf(INVALID_TYPE).base);
      this.#options.onProcessed?.('failed');
      return;
    }
    const handler = Object.hasOwn(handlers, job.type) ? handlers[job.type] : undefined;
    const attributes = this.#attributesOf(handler ? job.type : OTHER_TYPE);
    // A producer's clock ahead of ours must not give a negative wait.
    metrics.waitTime.record(Math.max(0, Date.now() - job.availableAt) / 1000, attributes.base);
    if (handler === undefined) {
      metrics.failed.add(1, { ...attributes.base, [ERROR_TYPE_ATTRIBUTE]: 'unknown_type' });
      this.#options.onProcessed?.('failed');
      await queue.deadLetter(raw, encodeJob({ ...job, attempts: job.attempts + 1, lastError: 'no handler' }));
      metrics.deadLettered.add(1, attributes.base);
      return;
    }
    const lease = this.#options.pool.acquireStarted();
    lease.acquired();
    const result = await runAttempt(handler, job, this.#options.timeoutMs, giveUp);
    if (giveUp.aborted) {
      // stop() gave the job back: this attempt neither completed nor failed.
      lease.failed();
      return;
    }
    metrics.duration.record(result.seconds, attributes.outcome[result.outcome]);
    if (result.outcome === 'success') {
      lease.released();
      metrics.completed.add(1, attributes.base);
      this.#options.onProcessed?.('success');
      await queue.complete(raw);
      return;
    }
    if (result.outcome === 'timeout') lease.timedOut();
    else lease.failed();
    metrics.failed.add(1, { ...attributes.base, [ERROR_TYPE_ATTRIBUTE]: errorTypeOf(result) });
    this.#options.onProcessed?.('failed');
    await this.#afterFailure(raw, job, result, attributes.base);
  }

  async #afterFailure(raw: string, job: Job, result: AttemptResult, attributes: Attributes): Promise<void> {
    const { queue, metrics, backoff } = this.#options;
    const attempts = job.attempts + 1;
    const lastError = messageOf(result.error).slice(0, MAX_ERROR_LENGTH);
    if (attempts < job.maxAttempts) {
      const dueAt = Date.now() + retryDelayMs(backoff, attempts);
      await queue.retryLater(raw, encodeJob({ ...job, attempts, availableAt: dueAt, lastError }), dueAt);
      metrics.retried.add(1, attributes);
    } else {
      await queue.deadLetter(raw, encodeJob({ ...job, attempts, lastError }));
      metrics.deadLettered.add(1, attributes);
    }
  }

  async #promote(): Promise<void> {
    // A promotion still running (slow Redis) makes this tick a no-op instead of piling calls up.
    if (this.#promoting) return;
    this.#promoting = true;
    try {
      await this.#options.queue.promoteDue(Date.now());
    } catch (error) {
      // Outages are reported by the dependency check and the dispatcher; this stays at debug.
      this.#options.logger.debug(
        { queue: this.#options.queue.name, err: messageOf(error) },
        'promotion failed',
      );
    } finally {
      this.#promoting = false;
    }
  }

  #attributesOf(type: string): TypeAttributes {
    let attributes = this.#attributes.get(type);
    if (attributes === undefined) {
      const base = { [QUEUE_ATTRIBUTE]: this.#options.queue.name, [TYPE_ATTRIBUTE]: type };
      attributes = {
        base,
        outcome: {
          success: { ...base, [OUTCOME_ATTRIBUTE]: 'success' },
          failure: { ...base, [OUTCOME_ATTRIBUTE]: 'failure' },
          timeout: { ...base, [OUTCOME_ATTRIBUTE]: 'timeout' },
        },
      };
      this.#attributes.set(type, attributes);
    }
    return attributes;
  }
}

/** `error.type`: `timeout`, or the error's class name when it looks like one (bounded by the code base). */
function errorTypeOf(result: AttemptResult): string {
  if (result.outcome === 'timeout') return 'timeout';
  const name = result.error instanceof Error ? result.error.name : undefined;
  return name !== undefined && /^[A-Za-z_][\w.]{0,63}$/.test(name) ? name : '_OTHER';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
