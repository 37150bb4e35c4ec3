/**
 * Calls of range-vector functions: selects (or evaluates, for a subquery) each series once for the
 * whole query, then slides the window `(t - range, t]` across the steps with two cursors.
 */
import type { Expr } from '../parser/ast.ts';
import { goQuote } from '../parser/go-strings.ts';
import { goFloat } from './annotations.ts';
import type { Evaluate } from './calls.ts';
import {
  checkDeadline,
  childContext,
  countSamples,
  type EvalContext,
  evalError,
  STEP_BLOCK,
} from './context.ts';
import { histogramWindowValue } from './histogram-range-functions.ts';
import { absentLabels } from './label-functions.ts';
import { METRIC_NAME } from './labels.ts';
import { rangeKernels, type Window } from './range-functions.ts';
import {
  alignSubqueryStart,
  atTime,
  referenceTimes,
  selectWindows,
  stepSeriesToWindows,
} from './selectors.ts';
import { emptySeries, type StepSeries, setHistogram, type WindowSeries } from './step-values.ts';

/**
 * Range functions that read only sample times, or pass the sample itself on, and so take native histogram
 * samples as they take floats.
 */
const kindAgnostic = new Set([
  'count_over_time',
  'present_over_time',
  'last_over_time',
  'first_over_time',
  'ts_of_last_over_time',
  'ts_of_first_over_time',
]);

/** Whether `name` takes a range vector. */
export function isRangeFunction(name: string): boolean {
  return name === 'absent_over_time' || rangeKernels.has(name);
}

const counterSuffixes = ['_total', '_sum', '_count', '_bucket'];

function subqueryWindows(
  ctx: EvalContext,
  node: Extract<Expr, { type: 'subquery' }>,
  refs: Float64Array,
  evaluate: Evaluate,
): WindowSeries[] {
  if (refs.length === 0) return [];
  const step = node.stepMs > 0 ? node.stepMs : ctx.defaultSubqueryStep;
  const start = alignSubqueryStart(refs[0]! - node.rangeMs, step);
  const end = refs[refs.length - 1]!;
  if (end < start) return [];
  const child = childContext(ctx, start, end, step);
  // The inner result stays counted as held until the enclosing node completes; its windows are the
  // same samples, so they are not counted again (Prometheus holds a subquery's result once).
  const inner = evaluate(child, node.expr);
  if (inner.kind === 'scalar') {
    const series = emptySeries({}, false, child.numSteps);
    series.values.set(inner.values);
    series.present.fill(1);
    return stepSeriesToWindows(child, [series]);
  }
  if (inner.kind !== 'vector') throw evalError('subquery is only allowed on instant vector');
  return stepSeriesToWindows(child, inner.series).map(withoutResetHints);
}

/**
 * The window with its histograms' `counter-reset` and `not-counter-reset` hints made `unknown`, as
 * Prometheus does for subqueries: a subquery may skip the sample where a reset happened, or repeat it, so
 * resets are detected from the values as for floats.
 */
function withoutResetHints(window: WindowSeries): WindowSeries {
  const histograms = window.histograms;
  if (histograms === undefined) return window;
  return {
    ...window,
    histograms: histograms.map((h) => {
      if (
        h === undefined ||
        (h.counterResetHint !== 'counter-reset' && h.counterResetHint !== 'not-counter-reset')
      )
        return h;
      const copy = h.copy();
      copy.counterResetHint = 'unknown';
      return copy;
    }),
  };
}

/** The windows a range argument (selector or subquery) provides, with the reference time of each step. */
export function rangeArgument(
  ctx: EvalContext,
  arg: Expr,
  evaluate: Evaluate,
): { windows: WindowSeries[]; refs: Float64Array; rangeMs: number } {
  if (arg.type === 'matrixSelector') {
    const refs = referenceTimes(ctx, atTime(ctx, arg.vector.at), arg.vector.offsetMs);
    return { windows: selectWindows(ctx, arg.vector, arg.rangeMs, refs), refs, rangeMs: arg.rangeMs };
  }
  if (arg.type === 'subquery') {
    const refs = referenceTimes(ctx, atTime(ctx, arg.at), arg.offsetMs);
    return { windows: subqueryWindows(ctx, arg, refs, evaluate), refs, rangeMs: arg.rangeMs };
  }
  throw evalError(`expected range vector argument, got ${arg.type}`);
}

/** Evaluates a range-vector function over every step. `args` have their parentheses removed. */
export function evalRangeCall(
  ctx: EvalContext,
  name: string,
  args: readonly Expr[],
  evaluate: Evaluate,
): StepSeries[] {
  const matrixIndex = args.findIndex((a) => a.type === 'matrixSelector' || a.type === 'subquery');
  if (matrixIndex === -1) throw evalError(`${name} needs a range vector argument`);
  const params: Float64Array[] = [];
  for (let i = 0; i < args.length; i++) {
    if (i === matrixIndex) continue;
    const v = evaluate(ctx, args[i]!);
    if (v.kind !== 'scalar') throw evalError(`expected scalar argument to ${name}, got ${v.kind}`);
    params.push(v.values);
  }
  const { windows, refs, rangeMs } = rangeArgument(ctx, args[matrixIndex]!, evaluate);
  const numSteps = ctx.numSteps;
  if (name === 'absent_over_time') return absentOverTime(ctx, args[matrixIndex]!, windows, refs, rangeMs);
  const kernel = rangeKernels.get(name)!;
  // Which point `last_over_time` / `first_over_time` pass on, to pass a histogram on as itself.
  const passedOn = name === 'last_over_time' ? 'last' : name === 'first_over_time' ? 'first' : undefined;
  // last_over_time and first_over_time act like an offset, so they keep the metric name.
  const dropsName = name !== 'last_over_time' && name !== 'first_over_time';
  const w: Window = {
    timestamps: new Float64Array(0),
    values: new Float64Array(0),
    lo: 0,
    hi: 0,
    stepTime: 0,
    rangeEnd: 0,
    rangeMs,
    params: params.map(() => 0),
    manySteps: numSteps > 1,
    resetsBefore: undefined,
  };
  const limits = ctx.limits;
  const out: StepSeries[] = [];
  for (const s of windows) {
    const ts = s.timestamps;
    const n = ts.length;
    w.timestamps = ts;
    w.values = s.values;
    w.resetsBefore = undefined;
    const res = emptySeries(s.labels, dropsName || s.dropName, numSteps);
    // Windows of a series with histograms go through the histogram-aware evaluation, unless the function
    // reads only times or passes the sample on.
    const histograms = kindAgnostic.has(name) ? undefined : s.histograms;
    const histogramContext = { annotations: ctx.annotations, labels: s.labels };
    let produced = 0;
    let floatsProduced = 0;
    // Window ends never move backwards, so both cursors only advance: one pass over the samples.
    let lo = 0;
    let hi = 0;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        const ref = refs[i]!;
        while (hi < n && ts[hi]! <= ref) hi++;
        const from = ref - rangeMs;
        while (lo < hi && ts[lo]! <= from) lo++;
        if (lo === hi) continue;
        // Most kernels scan their window: a step costs its window's samples too (a 1d window of 1s
        // samples, 86,400 of them, at every step of a range query must not outlast the deadline).
        checkDeadline(limits, hi - lo);
        w.lo = lo;
        w.hi = hi;
        w.stepTime = ctx.start + i * ctx.interval;
        w.rangeEnd = ref;
        for (let p = 0; p < params.length; p++) w.params[p] = params[p]![i]!;
        if (name === 'quantile_over_time') warnQuantile(ctx, w.params[0]!);
        const h = passedOn === undefined ? undefined : s.histograms?.[passedOn === 'last' ? hi - 1 : lo];
        if (h !== undefined) {
          setHistogram(res, i, h);
          produced++;
          continue;
        }
        const v =
          histograms === undefined
            ? kernel(w)
            : histogramWindowValue(name, w, histograms, kernel, histogramContext);
        if (v === undefined) continue;
        produced++;
        if (typeof v !== 'number') {
          setHistogram(res, i, v);
          continue;
        }
        res.values[i] = v;
        res.present[i] = 1;
        floatsProduced++;
      }
    }
    if (produced === 0) continue;
    // A window can give a sample at many steps: the output can outgrow what was read.
    countSamples(limits, produced);
    out.push(res);
    // Prometheus gives this info only for a result with floats: histograms are known to be counters.
    if ((name === 'rate' || name === 'increase') && floatsProduced > 0) {
      const metric = s.labels[METRIC_NAME];
      if (
        metric !== undefined &&
        metric !== '' &&
        !counterSuffixes.some((suffix) => metric.endsWith(suffix))
      ) {
        ctx.annotations.info(
          `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(metric)}`,
        );
      }
    }
  }
  return out;
}

function warnQuantile(ctx: EvalContext, q: number): void {
  if (Number.isNaN(q) || q < 0 || q > 1) {
    ctx.annotations.warn(`quantile value should be between 0 and 1, got ${goFloat(q)}`);
  }
}

/** `absent_over_time`: 1 at the steps where no series has a sample in its window. */
function absentOverTime(
  ctx: EvalContext,
  arg: Expr,
  windows: readonly WindowSeries[],
  refs: Float64Array,
  rangeMs: number,
): StepSeries[] {
  const covered = new Uint8Array(ctx.numSteps);
  for (const s of windows) {
    const ts = s.timestamps;
    checkDeadline(ctx.limits, ts.length);
    let lo = 0;
    let hi = 0;
    for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
      const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        const ref = refs[i]!;
        while (hi < ts.length && ts[hi]! <= ref) hi++;
        while (lo < hi && ts[lo]! <= ref - rangeMs) lo++;
        if (lo < hi) covered[i] = 1;
      }
    }
  }
  const out = emptySeries(absentLabels(arg), true, ctx.numSteps);
  for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
    const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
    checkDeadline(ctx.limits, to - from);
    for (let i = from; i < to; i++) {
      if (covered[i] === 0) {
        out.values[i] = 1;
        out.present[i] = 1;
      }
    }
  }
  return out.present.indexOf(1) === -1 ? [] : [out];
}
