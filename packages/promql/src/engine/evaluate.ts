/**
 * The engine's entry points: {@link evaluateInstant} and {@link evaluateRange}, with Prometheus 3
 * semantics over any {@link Queryable}.
 */

import { PromqlError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import type { Queryable } from '../storage/queryable.ts';
import { AnnotationSet } from './annotations.ts';
import {
  checkDeadline,
  checkStepGrid,
  createLimits,
  type EvalContext,
  evalError,
  LABELS_WORK,
  tooManySamples,
} from './context.ts';
import { evaluate } from './evaluator.ts';
import { histogramStatsSelectors } from './histogram-stats-selectors.ts';
import { mergeSameLabels } from './label-functions.ts';
import { compareLabels, dropMetadata, labelsKey } from './labels.ts';
import { resolveQueryDurations } from './resolve-durations.ts';
import { stepSeriesToWindows } from './selectors.ts';
import type { StepSeries, WindowSeries } from './step-values.ts';
import type {
  EvaluateOptions,
  InstantValue,
  MatrixSeries,
  MatrixValue,
  QueryResult,
  VectorSample,
} from './types.ts';

const defaultLookbackMs = 5 * 60_000;
const defaultSubqueryStepMs = 60_000;

function createContext(
  queryable: Queryable,
  expr: Expr,
  start: number,
  end: number,
  interval: number,
  options: EvaluateOptions,
): EvalContext {
  const numSteps = Math.floor((end - start) / interval) + 1;
  const limits = createLimits(options.timeoutMs, options.maxSamples);
  checkStepGrid(limits, numSteps);
  return {
    queryable,
    start,
    end,
    interval,
    numSteps,
    lookbackDelta: options.lookbackDeltaMs ?? defaultLookbackMs,
    defaultSubqueryStep: options.defaultSubqueryStepMs ?? defaultSubqueryStepMs,
    queryStart: start,
    queryEnd: end,
    queryStep: end === start ? 0 : interval,
    annotations: new AnnotationSet(),
    limits,
    histogramStats: histogramStatsSelectors(expr),
  };
}

/**
 * Runs an evaluation, turning the RangeErrors V8 raises when memory or stack run out (an array too large to
 * allocate, an expression tree nested too deeply to recurse into) into PromqlErrors, so that callers only
 * ever handle the package's own error.
 */
function withResourceErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    if (/call stack/i.test(e.message)) {
      throw new PromqlError('PROMQL_EVAL', 'expression is nested too deeply to evaluate', { cause: e });
    }
    throw tooManySamples(e);
  }
}

function withAnnotations<V>(ctx: EvalContext, value: V): QueryResult<V> {
  return { value, warnings: [...ctx.annotations.warnings], infos: [...ctx.annotations.infos] };
}

/** Removes the names marked for removal (Prometheus 3's delayed name removal) and merges what collides. */
function finishSeries(ctx: EvalContext, series: StepSeries[]): StepSeries[] {
  for (const s of series) {
    checkDeadline(ctx.limits, LABELS_WORK);
    if (s.dropName) s.labels = dropMetadata(s.labels);
  }
  return mergeSameLabels(ctx.limits, series);
}

/** Sorts by labels; a comparison of two label sets counts as label work against the deadline. */
function sortByLabelSet(ctx: EvalContext, series: MatrixSeries[]): MatrixSeries[] {
  return series.sort((a, b) => {
    checkDeadline(ctx.limits, LABELS_WORK);
    return compareLabels(a.labels, b.labels);
  });
}

function finishWindows(ctx: EvalContext, series: readonly WindowSeries[]): MatrixSeries[] {
  const out: MatrixSeries[] = [];
  const seen = new Set<string>();
  for (const s of series) {
    checkDeadline(ctx.limits, LABELS_WORK + s.timestamps.length);
    const labels = s.dropName ? dropMetadata(s.labels) : s.labels;
    const key = labelsKey(labels);
    if (seen.has(key)) throw evalError('vector cannot contain metrics with the same labelset');
    seen.add(key);
    // Window arrays may be views of the store's own buffers; the caller gets copies.
    out.push({
      labels,
      timestamps: s.timestamps.slice(),
      values: s.values.slice(),
      histograms: s.histograms?.slice(),
    });
  }
  return sortByLabelSet(ctx, out);
}

/**
 * Evaluates `expr` at one instant, as Prometheus's instant query API does.
 *
 * @example
 * ```ts
 * const store = new SampleStore();
 * const result = evaluateInstant(store, parseExpr('sum by (route) (rate(http_requests_total[5m]))'), Date.now());
 * if (result.value.type === 'vector') for (const s of result.value.samples) console.log(s.labels, s.value);
 * ```
 */
export function evaluateInstant(
  queryable: Queryable,
  expr: Expr,
  timeMs: number,
  options: EvaluateOptions = {},
): QueryResult<InstantValue> {
  // Prometheus works in whole milliseconds (timestamp.FromTime), and window bounds rely on it.
  timeMs = Math.floor(timeMs);
  expr = withResourceErrors(() => resolveQueryDurations(expr, 0, 0));
  const ctx = createContext(queryable, expr, timeMs, timeMs, 1, options);
  const value = withResourceErrors(() => evaluate(ctx, expr));
  switch (value.kind) {
    case 'scalar':
      return withAnnotations(ctx, { type: 'scalar', timestampMs: timeMs, value: value.values[0]! });
    case 'string':
      return withAnnotations(ctx, { type: 'string', timestampMs: timeMs, value: value.value });
    case 'matrix':
      return withAnnotations(ctx, { type: 'matrix', series: finishWindows(ctx, value.series) });
    case 'vector': {
      const seen = new Set<string>();
      const samples: VectorSample[] = [];
      for (const s of value.series) {
        checkDeadline(ctx.limits, LABELS_WORK);
        if (s.dropName) s.labels = dropMetadata(s.labels);
      }
      for (const s of value.series) {
        checkDeadline(ctx.limits, LABELS_WORK);
        if (s.present[0] !== 1) continue;
        const key = labelsKey(s.labels);
        if (seen.has(key)) throw evalError('vector cannot contain metrics with the same labelset');
        seen.add(key);
        samples.push({ labels: s.labels, value: s.values[0]!, histogram: s.histograms?.[0] });
      }
      return withAnnotations(ctx, { type: 'vector', timestampMs: timeMs, samples });
    }
  }
}

/**
 * Evaluates `expr` at every step from `startMs` to `endMs`, as Prometheus's range query API does. The
 * expression must give a scalar or an instant vector; the result is a matrix sorted by labels. Each
 * series is selected once for the whole range and its windows slide across the steps.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const { value, warnings } = evaluateRange(store, parseExpr('rate(http_server_request_duration_seconds_count[5m])'), now - 3_600_000, now, 60_000);
 * for (const series of value.series) console.log(series.labels, series.values);
 * ```
 */
export function evaluateRange(
  queryable: Queryable,
  expr: Expr,
  startMs: number,
  endMs: number,
  stepMs: number,
  options: EvaluateOptions = {},
): QueryResult<MatrixValue> {
  startMs = Math.floor(startMs);
  endMs = Math.floor(endMs);
  stepMs = Math.floor(stepMs);
  if (!(stepMs > 0)) throw evalError('zero or negative query resolution step widths are not accepted');
  if (endMs < startMs) throw evalError('end timestamp must not be before start time');
  expr = withResourceErrors(() => resolveQueryDurations(expr, stepMs, endMs - startMs));
  const ctx = createContext(queryable, expr, startMs, endMs, stepMs, options);
  const value = withResourceErrors(() => evaluate(ctx, expr));
  let series: StepSeries[];
  if (value.kind === 'scalar') {
    series = [
      { labels: {}, dropName: false, values: value.values, present: new Uint8Array(ctx.numSteps).fill(1) },
    ];
  } else if (value.kind === 'vector') {
    series = finishSeries(ctx, value.series);
  } else {
    const type = value.kind === 'matrix' ? 'range vector' : 'string';
    // A type error of the query, not of its evaluation: Prometheus answers it as bad_data (400).
    throw new PromqlError(
      'PROMQL_TYPE',
      `invalid expression type "${type}" for range query, must be Scalar or instant Vector`,
    );
  }
  const out: MatrixSeries[] = stepSeriesToWindows(ctx, series).map(
    ({ labels, timestamps, values, histograms }) => ({ labels, timestamps, values, histograms }),
  );
  return withAnnotations(ctx, { type: 'matrix', series: sortByLabelSet(ctx, out) });
}
