/**
 * The state one evaluation carries: the step grid, the data source, the query's own start and end (for
 * `@ start()` / `@ end()`), limits and the annotations collected so far. Subqueries evaluate their
 * inner expression with a child context on their own step grid.
 */
import { PromqlError } from '../errors.ts';
import type { Queryable } from '../storage/queryable.ts';
import type { AnnotationSet } from './annotations.ts';

/** The evaluation state shared by every node of one query. */
export interface EvalContext {
  readonly queryable: Queryable;
  /** First step, milliseconds. */
  readonly start: number;
  /** Last step, milliseconds (always on the grid). */
  readonly end: number;
  /** Distance between steps; 1 for a single-step (instant) evaluation. */
  readonly interval: number;
  readonly numSteps: number;
  readonly lookbackDelta: number;
  readonly defaultSubqueryStep: number;
  /** Start and end of the top-level query, the meaning of `start()` and `end()` in `@`. */
  readonly queryStart: number;
  readonly queryEnd: number;
  /** Step of the top-level query; 0 for an instant query (what `step()` returns). */
  readonly queryStep: number;
  readonly annotations: AnnotationSet;
  readonly limits: EvalLimits;
}

/** Limits shared by every context of one query, and the samples counted against them. */
export interface EvalLimits {
  readonly deadline: number;
  readonly maxSamples: number;
  samplesLoaded: number;
  /** Calls of {@link checkDeadline} so far; the clock is read on a fraction of them. */
  checks: number;
}

/** The timestamp of step `i`. */
export function stepTime(ctx: EvalContext, i: number): number {
  return ctx.start + i * ctx.interval;
}

/**
 * Most steps one step grid may have: Prometheus's default `--query.max-samples`. A grid is held as typed
 * arrays with an entry per step, so a larger one (`x[100y:1ms]`, a range query with a 1 ms step over years)
 * could not be allocated anyway; it fails as a query loading too many samples would in Prometheus.
 */
export const MAX_STEPS = 50_000_000;

/** Throws `PROMQL_TOO_MANY_SAMPLES` for a step grid of more than {@link MAX_STEPS} steps. */
export function checkStepCount(numSteps: number): void {
  if (numSteps > MAX_STEPS) throw tooManySamples();
}

/** A context over `[start, end]` with `interval`, sharing everything else with `parent`. */
export function childContext(parent: EvalContext, start: number, end: number, interval: number): EvalContext {
  const numSteps = end < start ? 0 : Math.floor((end - start) / interval) + 1;
  checkStepCount(numSteps);
  return { ...parent, start, end: start + (numSteps - 1) * interval, interval, numSteps };
}

/** Throws `PROMQL_TIMEOUT` once the query's deadline has passed. Cheap enough to call per series. */
export function checkDeadline(limits: EvalLimits): void {
  // Called per series: without a timeout there is nothing to read, and with one the clock is read on
  // every 32nd call only (Date.now() cost more than the rest of a small series' work when measured).
  if (limits.deadline === Number.POSITIVE_INFINITY || (++limits.checks & 31) !== 0) return;
  if (Date.now() > limits.deadline) {
    throw new PromqlError('PROMQL_TIMEOUT', 'query timed out in expression evaluation');
  }
}

/** Counts loaded samples against the query's limit. */
export function countSamples(limits: EvalLimits, n: number): void {
  limits.samplesLoaded += n;
  if (limits.samplesLoaded > limits.maxSamples) throw tooManySamples();
}

/** Prometheus's error for a query over its sample limit. */
export function tooManySamples(cause?: unknown): PromqlError {
  return new PromqlError(
    'PROMQL_TOO_MANY_SAMPLES',
    'query processing would load too many samples into memory in query execution',
    cause === undefined ? {} : { cause },
  );
}

/** An evaluation error with Prometheus's message. */
export function evalError(message: string): PromqlError {
  return new PromqlError('PROMQL_EVAL', message);
}
