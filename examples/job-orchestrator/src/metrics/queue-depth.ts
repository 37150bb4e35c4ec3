/**
 * `jobs.queue.depth` and `jobs.queue.oldest_age`, read from Redis at collection time: one pipelined round
 * trip per queue (`LLEN`, `ZCARD`, `LINDEX`), all queues at once, bounded by a deadline so a slow or absent
 * Redis delays a scrape by at most `timeoutMs`.
 */
import type { BatchObservableResult, Meter } from '@opentelemetry/api';
import type { Logger } from '@yardstick/sdk';
import { decodeJob } from '../jobs/job.ts';
import type { JobQueue, QueueDepth } from '../redis/job-queue.ts';
import { QUEUE_ATTRIBUTE, STATE_ATTRIBUTE } from './job-metrics.ts';

/** Options of {@link observeQueueDepth}. */
export interface QueueDepthOptions {
  /** The longest a collection waits for Redis (ms); past it, the depths are left out of that collection. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A running depth observation; `stop()` removes its callback. */
export interface QueueDepthObserver {
  stop(): void;
}

const STATES = ['ready', 'running', 'delayed', 'dead'] as const;

/** What the observation needs of a queue: its name and one depth reading. */
export type DepthSource = Pick<JobQueue, 'name' | 'depth'>;

/** Observes the depth and the oldest ready job's age of every queue in `queues`. */
export function observeQueueDepth(
  meter: Meter,
  queues: readonly DepthSource[],
  options: QueueDepthOptions,
): QueueDepthObserver {
  const depth = meter.createObservableUpDownCounter('jobs.queue.depth', {
    description: 'Jobs in the queue, by state (ready, running, delayed for a retry, dead-lettered).',
    unit: '{job}',
  });
  const oldestAge = meter.createObservableGauge('jobs.queue.oldest_age', {
    description: 'How long the oldest ready job has been waiting; 0 when none is ready.',
    unit: 's',
  });
  // Attribute objects built once per queue and state, reused by every collection.
  const attributes = queues.map((queue) => ({
    queue: { [QUEUE_ATTRIBUTE]: queue.name },
    states: STATES.map((state) => ({ [QUEUE_ATTRIBUTE]: queue.name, [STATE_ATTRIBUTE]: state })),
  }));
  let failing = false;

  const observe = async (result: BatchObservableResult): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    let depths: QueueDepth[];
    try {
      depths = await Promise.race([Promise.all(queues.map((queue) => queue.depth())), deadline]);
    } catch (error) {
      // One warning per outage: a scrape every few seconds would otherwise repeat it all the time.
      if (!failing) {
        options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'queue depth: Redis did not answer; depths are left out until it does',
        );
      }
      failing = true;
      return;
    } finally {
      clearTimeout(timer);
    }
    if (failing) options.logger.info({}, 'queue depth: Redis answers again');
    failing = false;
    const now = Date.now();
    depths.forEach((reading, index) => {
      const { queue, states } = attributes[index]!;
      const counts = [reading.ready, reading.running, reading.delayed, reading.dead];
      counts.forEach((count, state) => {
        result.observe(depth, count, states[state]);
      });
      const oldest = reading.oldestReady === null ? undefined : decodeJob(reading.oldestReady);
      // A producer's clock ahead of ours must not give a negative age.
      result.observe(oldestAge, oldest ? Math.max(0, now - oldest.availableAt) / 1000 : 0, queue);
    });
  };
  meter.addBatchObservableCallback(observe, [depth, oldestAge]);
  return { stop: () => meter.removeBatchObservableCallback(observe, [depth, oldestAge]) };
}
