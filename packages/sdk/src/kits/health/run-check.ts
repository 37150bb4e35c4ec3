/**
 * One health check, bounded in time: the check gets an `AbortSignal` that fires at `timeoutMs`, and the
 * result is `timeout` then whether or not the check honours the signal. Never throws or rejects.
 */
import { errorMessage } from '../kit-logger.ts';
import type { DependencyCheckOutcome } from './dependency-metrics.ts';

/** A health check: resolves `false` (or throws) when the dependency is unhealthy; should honour `signal`. */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets `async () => { await db.ping(); }` be a check as is.
export type DependencyCheck = (signal: AbortSignal) => Promise<boolean | void> | boolean | void;

/** What one check run found. */
export interface CheckResult {
  readonly outcome: DependencyCheckOutcome;
  /** Seconds from the start of the check to its answer (or to the timeout). */
  readonly durationSeconds: number;
  /** Why the check failed or timed out, for the log; absent on success and on a plain `false`. */
  readonly reason?: string;
}

/** Runs `check` once with a `timeoutMs` deadline. */
export async function runCheck(check: DependencyCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  // performance.now() rather than Date.now(): monotonic, so a clock step cannot make a negative duration.
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${timeoutMs} ms`));
      resolve({ outcome: 'timeout', durationSeconds: seconds(), reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    // A pending check must not keep the process alive on its own.
    timer.unref?.();
  });
  const answer = (async (): Promise<CheckResult> => {
    try {
      const healthy = await check(controller.signal);
      return { outcome: healthy === false ? 'failure' : 'success', durationSeconds: seconds() };
    } catch (error) {
      // A check that rejects after the deadline lands here too, so it never becomes an unhandled rejection.
      return { outcome: 'failure', durationSeconds: seconds(), reason: errorMessage(error) };
    }
  })();
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
