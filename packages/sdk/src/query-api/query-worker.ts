/**
 * The query worker thread: parses, evaluates and serializes one query at a time, reading the main
 * thread's store through {@link PortQueryable}. Evaluation happens here so that the host's event loop
 * (its own requests, `/metrics`) never waits on a query, and so that a runaway query can be stopped
 * outright by terminating the thread.
 */
import { parentPort } from 'node:worker_threads';
import { evaluateInstant, evaluateRange, PromqlError, parseExpr } from '@yardstick/promql';
import { computeServiceStats } from '../stats/service-stats.ts';
import { ApiError, toApiError } from './api-error.ts';
import { PortQueryable } from './port-queryable.ts';
import type { QueryJob, QueryOutcome } from './query-job.ts';
import { queryResultBody } from './result-json.ts';

const encoder = new TextEncoder();

function run(job: QueryJob): QueryOutcome {
  try {
    if (job.kind === 'stats') {
      const queryable = new PortQueryable(job.storePort, job.answers, job.deadline);
      const stats = computeServiceStats(queryable, job.window, job.timeMs, {
        maxSamples: job.maxSamples,
        deadline: job.deadline,
      });
      return { id: job.id, ok: true, body: encoder.encode(JSON.stringify(stats)) };
    }
    let expr: ReturnType<typeof parseExpr>;
    try {
      expr = parseExpr(job.query);
    } catch (error) {
      if (error instanceof PromqlError)
        throw new ApiError('bad_data', `invalid parameter "query": ${error.message}`);
      throw error;
    }
    const queryable = new PortQueryable(job.storePort, job.answers, job.deadline);
    const options = {
      lookbackDeltaMs: job.lookbackDeltaMs,
      timeoutMs: Math.max(1, job.deadline - Date.now()),
      maxSamples: job.maxSamples,
    };
    const limits = { maxBytes: job.maxResponseBytes, deadline: job.deadline };
    if (job.kind === 'instant') {
      return {
        id: job.id,
        ok: true,
        body: queryResultBody(evaluateInstant(queryable, expr, job.timeMs, options), limits),
      };
    }
    const result = evaluateRange(queryable, expr, job.startMs, job.endMs, job.stepMs, options);
    return { id: job.id, ok: true, body: queryResultBody(result, limits) };
  } catch (error) {
    const apiError = toApiError(error);
    return { id: job.id, ok: false, type: apiError.type, message: apiError.message };
  } finally {
    job.storePort.close();
  }
}

parentPort?.on('message', (job: QueryJob) => {
  const outcome = run(job);
  parentPort?.postMessage(outcome, outcome.ok ? [outcome.body.buffer as ArrayBuffer] : []);
});
