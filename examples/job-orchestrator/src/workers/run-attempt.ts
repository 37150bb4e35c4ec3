/**
 * One attempt of a job, bounded in time: the handler gets an `AbortSignal` that fires at the job timeout
 * (or when the orchestrator gives the job up at shutdown), and the attempt ends then whether or not the
 * handler honours it. Never throws.
 */
import { OrchestratorError } from '../errors.ts';
import type { Job } from '../jobs/job.ts';
import type { AttemptOutcome } from '../metrics/job-metrics.ts';

/** Runs one job; rejects (or throws) to fail the attempt. Should stop when `signal` fires. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void> | void;

/** How an attempt ended. */
export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  /** Seconds from the start of the attempt to its end (or to the timeout). */
  readonly seconds: number;
  /** The error of a failed or timed-out attempt. */
  readonly error?: unknown;
}

/**
 * Runs `handler` on `job` with a `timeoutMs` deadline.
 *
 * @param giveUp - fires when the orchestrator abandons the attempt (shutdown past its grace period)
 */
export async function runAttempt(
  handler: JobHandler,
  job: Job,
  timeoutMs: number,
  giveUp: AbortSignal,
): Promise<AttemptResult> {
  const controller = new AbortController();
  // performance.now() rather than Date.now(): monotonic, so a clock step cannot make a negative duration.
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<AttemptResult>((resolve) => {
    timer = setTimeout(() => {
      const error = new OrchestratorError('JOB_TIMEOUT', `job ${job.type} ran longer than ${timeoutMs} ms`);
      controller.abort(error);
      resolve({ outcome: 'timeout', seconds: seconds(), error });
    }, timeoutMs);
  });
  const onGiveUp = () => controller.abort(giveUp.reason);
  giveUp.addEventListener('abort', onGiveUp, { once: true });
  const finished = (async (): Promise<AttemptResult> => {
    try {
      await handler(job, controller.signal);
      return { outcome: 'success', seconds: seconds() };
    } catch (error) {
      // A handler that rejects after the timeout lands here too, so it never becomes an unhandled rejection.
      return { outcome: 'failure', seconds: seconds(), error };
    }
  })();
  try {
    return await Promise.race([finished, timedOut]);
  } finally {
    clearTimeout(timer);
    giveUp.removeEventListener('abort', onGiveUp);
  }
}
