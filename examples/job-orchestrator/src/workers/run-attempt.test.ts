import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { OrchestratorError } from '../errors.ts';
import { createJob } from '../jobs/job.ts';
import { runAttempt } from './run-attempt.ts';

const job = createJob('emails', 'welcome', null, 3);
const never = new AbortController().signal;

describe('one attempt of a job', () => {
  it('succeeds when the handler returns, and fails with its error when it throws', async () => {
    expect((await runAttempt(async () => {}, job, 1_000, never)).outcome).toBe('success');
    const error = new RangeError('bad input');
    const failed = await runAttempt(
      () => {
        throw error;
      },
      job,
      1_000,
      never,
    );
    expect(failed).toMatchObject({ outcome: 'failure', error });
  });

  it('times out a handler that ignores its signal, and signals one that listens', async () => {
    let aborted: unknown;
    const result = await runAttempt(
      async (_job, signal) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
        });
        await sleep(1_000);
      },
      job,
      50,
      never,
    );
    expect(result.outcome).toBe('timeout');
    expect(result.error).toBeInstanceOf(OrchestratorError);
    expect((result.error as OrchestratorError).code).toBe('JOB_TIMEOUT');
    expect(aborted).toBe(result.error);
  });

  it('passes a give-up on to the handler', async () => {
    const giveUp = new AbortController();
    const running = runAttempt(
      (_job, signal) => sleep(5_000, undefined, { signal }),
      job,
      10_000,
      giveUp.signal,
    );
    giveUp.abort(new Error('shutting down'));
    expect((await running).outcome).toBe('failure');
  });
});
