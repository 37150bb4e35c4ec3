/**
 * The state one evaluation carries: the step grid, the data source, the query's own start and end (for
 * `@ start()` / `@ end()`), limits and the annotations collected so far. Subqueries evaluate their
 * inner expression with a child context on their own step grid.
 */
import { PromqlError } from '../errors.ts';
import type { VectorSelector } from '../parser/ast.ts';
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
  /** The selectors read as histogram statistics; see histogram-stats-selectors.ts. */
  readonly histogramStats: ReadonlySet<VectorSelector>;
}

/**
 * Limits shared by every context of one query, and the work and samples counted against them.
 *
 * Samples are counted as Prometheus counts them for `--query.max-samples` (its `currentSamples`): a
 * node's output is held until its parent completes, the samples a node reads (a range selector's
 * windows, a subquery's inner result) are held while it runs, and the query fails once the samples held
 * at one time exceed the limit. `evaluate` (evaluator.ts) settles the count as each node completes.
 */
export interface EvalLimits {
  readonly deadline: number;
  readonly maxSamples: number;
  /** Samples held now: outputs of completed nodes not yet consumed, and inputs of the running nodes. */
  currentSamples: number;
  /** Work units since the clock was last read; see {@link checkDeadline}. */
  work: number;
}

/** The limits of a new query. The first {@link checkDeadline} reads the clock, so a past deadline fails at once. */
export function createLimits(timeoutMs: number | undefined, maxSamples: number | undefined): EvalLimits {
  return {
    deadline: timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs,
    maxSamples: maxSamples ?? Number.POSITIVE_INFINITY,
    currentSamples: 0,
    work: clockEvery,
  };
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

/**
 * Refuses a step grid of `numSteps` before anything is allocated for it: when its steps alone outnumber
 * the samples the query may still hold (a node over the grid would produce at least one sample per step
 * for any series), or beyond {@link MAX_STEPS} even without a sample limit. So `vector(1)[8h:1ms]` fails
 * here rather than after filling 28.8M steps. Prometheus allocates no per-step arrays and would fail only
 * while producing the samples; an empty grid (`missing_metric[8h:1ms]`) is the one query it would run.
 */
export function checkStepGrid(limits: EvalLimits, numSteps: number): void {
  if (numSteps > MAX_STEPS || limits.currentSamples + numSteps > limits.maxSamples) throw tooManySamples();
}

/** A context over `[start, end]` with `interval`, sharing everything else with `parent`; see {@link checkStepGrid}. */
export function childContext(parent: EvalContext, start: number, end: number, interval: number): EvalContext {
  const numSteps = end < start ? 0 : Math.floor((end - start) / interval) + 1;
  checkStepGrid(parent.limits, numSteps);
  return { ...parent, start, end: start + (numSteps - 1) * interval, interval, numSteps };
}

/**
 * Work units between two reads of the clock. A unit is about one step of one series in the cheapest
 * loops (measured 1-4 ns a step on a sum over 10k series x 1441 steps), so the clock is read every
 * 0.1-0.3 ms of work; a read costs ~55 ns (Date.now(), measured), under 0.1% of that work.
 */
const clockEvery = 1 << 16;

/**
 * What a loop over label sets passes to {@link checkDeadline} per series: a regex match, an expansion,
 * a label copy and a key string cost about this many units (measured ~2-3 µs for the four on 10k label
 * sets, against 1-4 ns for a step of a series).
 */
export const LABELS_WORK = 1024;

/**
 * Throws `PROMQL_TIMEOUT` once the query's deadline has passed. Every loop that can run long calls it
 * with the work it did since its last call (`units`, see {@link clockEvery}): per series with the
 * series' steps, per step with the series visited, per window with the window's samples, so that a loop
 * whose iterations are heavy reads the clock as often as one whose iterations are cheap.
 */
export function checkDeadline(limits: EvalLimits, units: number): void {
  limits.work += units;
  if (limits.work < clockEvery) return;
  limits.work = 0;
  if (Date.now() > limits.deadline) {
    throw new PromqlError('PROMQL_TIMEOUT', 'query timed out in expression evaluation');
  }
}

/**
 * Steps of one series between two deadline checks in a loop over a step grid (~0.1 ms of work). A grid
 * can have millions of steps (`x[8h:1ms]` has 28.8M), so a check per series alone would notice the
 * deadline only after the whole series. Loops over steps run in blocks of this many, with a check per
 * block: measured on a sum over 10k series x 1441 steps, a check called at every step of the inner loop
 * kept V8 from its fastest code for the loop (~2-3 ns a step more), the block loop did not.
 */
export const STEP_BLOCK = 1 << 15;

/**
 * Counts `n` more samples held; throws `PROMQL_TOO_MANY_SAMPLES` once the count exceeds the limit.
 * Nodes that can produce more than they read (selectors, range functions, subqueries, constant vectors)
 * call it per series while producing, before allocating where they can; the others cannot hold more
 * than twice what their inputs already hold, and are checked when they complete.
 */
export function countSamples(limits: EvalLimits, n: number): void {
  limits.currentSamples += n;
  if (limits.currentSamples > limits.maxSamples) throw tooManySamples();
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
