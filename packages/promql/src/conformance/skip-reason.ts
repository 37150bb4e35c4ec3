/**
 * Which evals the runner skips, and why: evals that read native histogram samples (the runner loads them,
 * but the engine does not evaluate them yet), that call functions Prometheus marks experimental, or that need syntax or data behind a
 * Prometheus feature flag. The reasons are deliberately few, so a skip never hides an engine bug.
 */
import { PromqlError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { EXPERIMENTAL_AGGREGATIONS, FUNCTIONS, getFunction } from '../parser/functions.ts';
import { walkExpr } from '../parser/validate-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import type { EvalCommand } from './test-file.ts';

/** Why an eval was not run. */
export type SkipReason =
  | 'native histograms in an operation not evaluated yet'
  | 'experimental function'
  | 'feature-flagged syntax';

/**
 * Functions the engine evaluates on native histogram samples as Prometheus does: the histogram functions,
 * the range functions, label functions, and the float functions, which skip histogram samples.
 */
const histogramFunctions = new Set([
  'histogram_count',
  'histogram_sum',
  'histogram_avg',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_quantile',
  'histogram_quantiles',
  'histogram_fraction',
  'count_over_time',
  'present_over_time',
  'absent_over_time',
  'last_over_time',
  'first_over_time',
  'ts_of_last_over_time',
  'ts_of_first_over_time',
  ...['rate', 'increase', 'delta', 'irate', 'idelta', 'sum_over_time', 'avg_over_time', 'changes', 'resets'],
  ...['min_over_time', 'max_over_time', 'ts_of_min_over_time', 'ts_of_max_over_time', 'quantile_over_time'],
  ...['stddev_over_time', 'stdvar_over_time', 'mad_over_time', 'deriv', 'predict_linear'],
  'double_exponential_smoothing',
  'label_replace',
  'label_join',
  'sort_by_label',
  'sort_by_label_desc',
  'absent',
  'timestamp',
  'scalar',
  'vector',
  'time',
  ...['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'rad', 'deg', 'round'],
  ...['clamp', 'clamp_min', 'clamp_max'],
  ...['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'],
  ...['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'],
]);

/** The first part of `expr` that the engine does not evaluate on native histograms yet, if any. */
function histogramGap(expr: Expr): string | undefined {
  let gap: string | undefined;
  walkExpr(expr, (e) => {
    if (gap !== undefined) return;
    if (e.type === 'call' && !histogramFunctions.has(e.func)) gap = e.func;
    else if (e.type === 'binary' && e.op !== 'and' && e.op !== 'or' && e.op !== 'unless') gap = e.op;
  });
  return gap;
}

/**
 * Loaded series that carry data the engine does not evaluate (native histogram samples) or the runner does
 * not model (start timestamps), kept as one marker sample each so that the selectors of an eval can ask whether they touch them.
 */
export class MarkedSeries {
  readonly store = new SampleStore();
  empty = true;

  add(labels: Record<string, string>): void {
    this.store.append(labels, 0, 0);
    this.empty = false;
  }

  selectedBy(expr: Expr): boolean {
    if (this.empty) return false;
    let found = false;
    walkExpr(expr, (e) => {
      if (e.type !== 'vectorSelector' || found) return;
      for (const _ of this.store.select(e.matchers, -1, 1)) found = true;
    });
    return found;
  }
}

function usesExperimental(expr: Expr): boolean {
  let found = false;
  walkExpr(expr, (e) => {
    if (e.type === 'call' && getFunction(e.func)?.experimental === true) found = true;
    if (e.type === 'aggregate' && EXPERIMENTAL_AGGREGATIONS.has(e.op)) found = true;
  });
  return found;
}

/** Calls of experimental functions, found in the text when the expression does not parse. */
const experimentalCall = new RegExp(
  `(?<![\\w:])(${[...FUNCTIONS.values()]
    .filter((f) => f.experimental)
    .map((f) => f.name)
    .concat([...EXPERIMENTAL_AGGREGATIONS])
    .join('|')})\\s*\\(`,
);

/**
 * Why `cmd` cannot be run faithfully, or `undefined` when it can. `expr` is its parsed expression, or the
 * error parsing gave; `data` marks the loaded series with native histograms or start timestamps.
 */
export function skipReason(
  cmd: EvalCommand,
  expr: Expr | PromqlError,
  data: { histograms: MarkedSeries; startTimes: MarkedSeries },
  runExperimental: boolean,
): SkipReason | undefined {
  const experimental = expr instanceof PromqlError ? experimentalCall.test(cmd.expr) : usesExperimental(expr);
  if (!runExperimental && experimental) return 'experimental function';
  if (expr instanceof PromqlError) {
    return expr.code === 'PROMQL_UNSUPPORTED' ? 'feature-flagged syntax' : undefined;
  }
  const histogramResult = [...cmd.expected.values()].some((e) =>
    e.values.some((v) => v.kind === 'histogram'),
  );
  if ((histogramResult || data.histograms.selectedBy(expr)) && histogramGap(expr) !== undefined) {
    return 'native histograms in an operation not evaluated yet';
  }
  if (data.startTimes.selectedBy(expr)) return 'feature-flagged syntax';
  return undefined;
}
