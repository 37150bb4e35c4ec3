/**
 * The demo's work: two queues with job types that behave like real ones (fast emails, slow reports, some
 * failing now and then, some running past their timeout), and a producer adding a mix of them, so every
 * metric and alert of the example has numbers that move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../jobs/job.ts';
import type { Orchestrator, QueueOptions } from '../orchestrator.ts';

/** A job failure the demo handlers throw; its name becomes the `error.type` attribute. */
export class TransientError extends Error {
  override name = 'TransientError';
}

/** Fails with `probability`, otherwise returns. */
function maybeFail(probability: number, what: string): void {
  if (Math.random() < probability) throw new TransientError(`${what} failed`);
}

/** The demo's queues: `emails` (4 workers, fast) and `reports` (2 workers, slow, 3 s timeout). */
export const DEMO_QUEUES: Readonly<Record<string, QueueOptions>> = {
  emails: {
    concurrency: 4,
    timeoutMs: 2_000,
    maxAttempts: 3,
    backoff: { baseMs: 500, maxMs: 10_000 },
    handlers: {
      async welcome(_job: Job, signal: AbortSignal) {
        await sleep(20 + Math.random() * 80, undefined, { signal });
        maybeFail(0.05, 'smtp send');
      },
      async digest(_job: Job, signal: AbortSignal) {
        await sleep(100 + Math.random() * 400, undefined, { signal });
        maybeFail(0.15, 'digest render');
      },
    },
  },
  reports: {
    concurrency: 2,
    timeoutMs: 3_000,
    maxAttempts: 4,
    backoff: { baseMs: 1_000, maxMs: 30_000 },
    handlers: {
      async render(_job: Job, signal: AbortSignal) {
        // One in ten runs past the 3 s timeout: the signal stops it, and it is retried.
        await sleep(Math.random() < 0.1 ? 5_000 : 300 + Math.random() * 1_200, undefined, { signal });
      },
      async export(job: Job, signal: AbortSignal) {
        await sleep(200 + Math.random() * 300, undefined, { signal });
        // A bad request fails on every attempt and ends in the dead-letter list.
        if ((job.payload as { rows?: number } | null)?.rows === -1) throw new RangeError('rows must be >= 0');
        maybeFail(0.1, 'upload');
      },
    },
  },
};

const MIX: ReadonlyArray<readonly [queue: string, type: string, weight: number]> = [
  ['emails', 'welcome', 6],
  ['emails', 'digest', 2],
  ['reports', 'render', 1.5],
  ['reports', 'export', 0.5],
];
const TOTAL_WEIGHT = MIX.reduce((sum, [, , weight]) => sum + weight, 0);

/** The entry of {@link MIX} that `point` (in [0, TOTAL_WEIGHT)) falls on. */
function pickWeighted(point: number): readonly [string, string, number] {
  let rest = point;
  for (const entry of MIX) {
    rest -= entry[2];
    if (rest < 0) return entry;
  }
  return MIX[0]!;
}

/**
 * Adds about `perSecond` jobs a second to `orchestrator`, in bursts now and then so the backlog grows and
 * drains; returns a function that stops it. Enqueue failures (Redis away) are counted, not thrown.
 */
export function startDemoProducer(
  orchestrator: Pick<Orchestrator, 'enqueue'>,
  perSecond: number,
  onEnqueueError: (error: unknown) => void,
): () => void {
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    // Every 30 s a burst of 5x the rate for 3 s: more than the workers can take at once.
    const burst = tick % 300 < 30 ? 5 : 1;
    const jobs = (perSecond * burst) / 10;
    const whole = Math.floor(jobs) + (Math.random() < jobs % 1 ? 1 : 0);
    for (let i = 0; i < whole; i++) {
      const [queue, type] = pickWeighted(Math.random() * TOTAL_WEIGHT);
      const payload = type === 'export' ? { rows: Math.random() < 0.2 ? -1 : 1_000 } : { n: tick };
      orchestrator.enqueue(queue, type, payload).catch(onEnqueueError);
    }
  }, 100);
  return () => clearInterval(timer);
}
