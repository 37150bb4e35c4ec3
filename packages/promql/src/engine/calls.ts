/**
 * Function calls: dispatch by name to range-vector kernels, element-wise functions, label functions
 * and classic-histogram functions, with Prometheus's annotations.
 */

import { PromqlError } from '../errors.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Call, Expr } from '../parser/ast.ts';
import { goQuote } from '../parser/go-strings.ts';
import type { Labels } from '../storage/queryable.ts';
import { withoutHistograms } from './aggregate-histograms.ts';
import { goFloat, openMetricsFloat } from './annotations.ts';
import { checkDeadline, countSamples, type EvalContext, evalError, STEP_BLOCK } from './context.ts';
import { type Bucket, bucketFraction, bucketQuantile, evalBucketFunction } from './histogram-functions.ts';
import { evalInfo } from './info-function.ts';
import { absentLabels, labelJoin, labelReplace, sortByLabels, sortByValue } from './label-functions.ts';
import { METRIC_NAME, withLabel } from './labels.ts';
import { clampValue, dateFunctions, floatFunctions, mapValues, roundTo } from './math-functions.ts';
import {
  histogramVariance,
  mapHistograms,
  nativeHistogramFraction,
  nativeHistogramQuantile,
} from './native-histogram-functions.ts';
import { evalRangeCall, isRangeFunction } from './range-call.ts';
import { atTime, evalVectorSelector } from './selectors.ts';
import { SeriesCollector } from './series-collector.ts';
import { constantSteps, emptySeries, type StepSeries, type StepValue } from './step-values.ts';

/** The evaluator, passed in to keep the module graph acyclic. */
export type Evaluate = (ctx: EvalContext, expr: Expr) => StepValue;

/** The functions of one native histogram sample; float samples are skipped. */
const nativeHistogramFunctions: ReadonlyMap<string, (h: FloatHistogram) => number> = new Map([
  ['histogram_count', (h: FloatHistogram) => h.count],
  ['histogram_sum', (h: FloatHistogram) => h.sum],
  ['histogram_avg', (h: FloatHistogram) => h.sum / h.count],
  ['histogram_stddev', (h: FloatHistogram) => Math.sqrt(histogramVariance(h))],
  ['histogram_stdvar', histogramVariance],
]);

function unwrap(expr: Expr): Expr {
  let e = expr;
  while (e.type === 'paren') e = e.expr;
  return e;
}

function stringArg(expr: Expr | undefined): string {
  const e = expr === undefined ? undefined : unwrap(expr);
  if (e?.type !== 'string') throw evalError('expected a string literal argument');
  return e.value;
}

/** A series with labels `{}` and the value `fn(step)` at every step. */
function constantVector(ctx: EvalContext, fn: (step: number) => number): StepSeries[] {
  countSamples(ctx.limits, ctx.numSteps);
  const series = emptySeries({}, false, ctx.numSteps);
  for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
    const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
    checkDeadline(ctx.limits, to - from);
    for (let i = from; i < to; i++) {
      series.values[i] = fn(i);
      series.present[i] = 1;
    }
  }
  return ctx.numSteps === 0 ? [] : [series];
}

function constantScalar(ctx: EvalContext, value: number): StepValue {
  countSamples(ctx.limits, ctx.numSteps);
  return { kind: 'scalar', values: constantSteps(ctx.limits, ctx.numSteps, value) };
}

/** Evaluates a function call over every step of `ctx`. */
export function evalCall(ctx: EvalContext, call: Call, evaluate: Evaluate): StepValue {
  const name = call.func;
  const args = call.args.map(unwrap);
  const vectorArg = (i: number): StepSeries[] => {
    const v = evaluate(ctx, args[i]!);
    if (v.kind !== 'vector') throw evalError(`expected instant vector argument to ${name}, got ${v.kind}`);
    return v.series;
  };
  const scalarArg = (i: number): Float64Array => {
    const v = evaluate(ctx, args[i]!);
    if (v.kind !== 'scalar') throw evalError(`expected scalar argument to ${name}, got ${v.kind}`);
    return v.values;
  };
  const vector = (series: StepSeries[]): StepValue => ({ kind: 'vector', series });

  if (isRangeFunction(name)) return vector(evalRangeCall(ctx, name, args, evaluate));
  const floatFn = floatFunctions.get(name);
  if (floatFn !== undefined) return vector(mapValues(ctx.limits, vectorArg(0), floatFn));
  const dateFn = dateFunctions.get(name);
  if (dateFn !== undefined) {
    if (args.length === 0)
      return vector(constantVector(ctx, (i) => dateFn(Math.trunc((ctx.start + i * ctx.interval) / 1000))));
    return vector(mapValues(ctx.limits, vectorArg(0), dateFn));
  }
  const histogramFn = nativeHistogramFunctions.get(name);
  if (histogramFn !== undefined) return vector(mapHistograms(ctx.limits, vectorArg(0), histogramFn));

  switch (name) {
    case 'time': {
      countSamples(ctx.limits, ctx.numSteps);
      const values = new Float64Array(ctx.numSteps);
      for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
        const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
        checkDeadline(ctx.limits, to - from);
        for (let i = from; i < to; i++) {
          values[i] = (ctx.start + i * ctx.interval) / 1000;
        }
      }
      return { kind: 'scalar', values };
    }
    case 'pi':
      return constantScalar(ctx, Math.PI);
    case 'max_of':
    case 'min_of': {
      const a = scalarArg(0);
      const b = scalarArg(1);
      const pick = name === 'max_of' ? Math.max : Math.min;
      return { kind: 'scalar', values: a.map((v, i) => pick(v, b[i]!)) };
    }
    // The query-context functions are constants of the top-level query, also inside subqueries.
    case 'start':
      return constantScalar(ctx, ctx.queryStart / 1000);
    case 'end':
      return constantScalar(ctx, ctx.queryEnd / 1000);
    case 'range':
      return constantScalar(ctx, (ctx.queryEnd - ctx.queryStart) / 1000);
    case 'step':
      return constantScalar(ctx, ctx.queryStep / 1000);
    case 'vector': {
      const values = scalarArg(0);
      return vector(constantVector(ctx, (i) => values[i]!));
    }
    case 'scalar': {
      const input = vectorArg(0);
      const values = new Float64Array(ctx.numSteps);
      for (let i = 0; i < ctx.numSteps; i++) {
        checkDeadline(ctx.limits, input.length);
        let found = 0;
        let value = Number.NaN;
        for (const s of input) {
          // Only floats count, as in Prometheus.
          if (s.present[i] === 1 && s.histograms?.[i] === undefined) {
            found++;
            value = s.values[i]!;
          }
        }
        values[i] = found === 1 ? value : Number.NaN;
      }
      return { kind: 'scalar', values };
    }
    case 'round': {
      const input = vectorArg(0);
      const to = args.length > 1 ? scalarArg(1) : undefined;
      return vector(mapValues(ctx.limits, input, (v, i) => roundTo(v, to === undefined ? 1 : to[i]!)));
    }
    case 'clamp': {
      const input = vectorArg(0);
      const min = scalarArg(1);
      const max = scalarArg(2);
      return vector(mapValues(ctx.limits, input, (v, i) => clampValue(v, min[i]!, max[i]!)));
    }
    case 'clamp_min': {
      const input = vectorArg(0);
      const min = scalarArg(1);
      return vector(mapValues(ctx.limits, input, (v, i) => clampValue(v, min[i]!, Number.POSITIVE_INFINITY)));
    }
    case 'clamp_max': {
      const input = vectorArg(0);
      const max = scalarArg(1);
      return vector(mapValues(ctx.limits, input, (v, i) => clampValue(v, Number.NEGATIVE_INFINITY, max[i]!)));
    }
    case 'timestamp':
      return vector(evalTimestamp(ctx, args[0]!, evaluate));
    case 'absent': {
      const input = vectorArg(0);
      const labels = absentLabels(args[0]!);
      const out = emptySeries(labels, false, ctx.numSteps);
      for (let i = 0; i < ctx.numSteps; i++) {
        checkDeadline(ctx.limits, input.length);
        if (!input.some((s) => s.present[i] === 1)) {
          out.values[i] = 1;
          out.present[i] = 1;
        }
      }
      return vector(out.present.indexOf(1) === -1 ? [] : [out]);
    }
    case 'label_replace':
      return vector(
        labelReplace(
          ctx.limits,
          vectorArg(0),
          stringArg(args[1]),
          stringArg(args[2]),
          stringArg(args[3]),
          stringArg(args[4]),
        ),
      );
    case 'label_join':
      return vector(
        labelJoin(
          ctx.limits,
          vectorArg(0),
          stringArg(args[1]),
          stringArg(args[2]),
          args.slice(3).map(stringArg),
        ),
      );
    case 'sort':
    case 'sort_desc':
    case 'sort_by_label':
    case 'sort_by_label_desc': {
      if (ctx.start !== ctx.end) {
        ctx.annotations.warn(
          'sort is ineffective for range queries since results are always ordered by labels',
        );
      }
      const input = vectorArg(0);
      if (name === 'sort' || name === 'sort_desc') {
        // Prometheus sorts the float samples only and drops the histograms.
        return vector(sortByValue(ctx.limits, withoutHistograms(ctx, input), name === 'sort_desc'));
      }
      return vector(
        sortByLabels(ctx.limits, input, args.slice(1).map(stringArg), name === 'sort_by_label_desc'),
      );
    }
    case 'histogram_quantile':
      return vector(evalHistogramQuantile(ctx, scalarArg(0), vectorArg(1)));
    case 'info': {
      const selector = args[1];
      if (selector !== undefined && selector.type !== 'vectorSelector') {
        throw evalError('info() needs a label selector as its second argument');
      }
      return vector(evalInfo(ctx, args[0]!, selector, vectorArg(0)));
    }
    case 'histogram_quantiles': {
      const qs = args.slice(2).map((_, i) => scalarArg(i + 2));
      return vector(evalHistogramQuantiles(ctx, vectorArg(0), stringArg(args[1]), qs));
    }
    case 'histogram_fraction': {
      const lower = scalarArg(0);
      const upper = scalarArg(1);
      return vector(
        evalBucketFunction(
          ctx,
          vectorArg(2),
          (b, i) => bucketFraction(lower[i]!, upper[i]!, b),
          (h, i, labels) => nativeHistogramFraction(lower[i]!, upper[i]!, h, labels, ctx.annotations),
        ),
      );
    }
    default:
      throw new PromqlError(
        'PROMQL_UNSUPPORTED',
        `function ${name} is not supported by the yardstick engine`,
      );
  }
}

/**
 * `timestamp(v)`: for a selector, the timestamp of the selected sample (with `@`, Prometheus looks up at
 * the `@` time and ignores `offset`); for any other vector, the evaluation time.
 */
function evalTimestamp(ctx: EvalContext, arg: Expr, evaluate: Evaluate): StepSeries[] {
  if (arg.type === 'vectorSelector') {
    const at = atTime(ctx, arg.at);
    const refs = new Float64Array(ctx.numSteps);
    for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
      const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        refs[i] = at ?? ctx.start + i * ctx.interval - arg.offsetMs;
      }
    }
    const series = evalVectorSelector(ctx, arg, refs, true);
    for (const s of series) s.dropName = true;
    return series;
  }
  const v = evaluate(ctx, arg);
  if (v.kind !== 'vector') throw evalError(`expected instant vector argument to timestamp, got ${v.kind}`);
  return mapValues(ctx.limits, v.series, (_, i) => (ctx.start + i * ctx.interval) / 1000, true);
}

const monotonicityInfo =
  'input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)';

function warnInvalidQuantiles(ctx: EvalContext, q: Float64Array): void {
  for (const value of q) {
    if (Number.isNaN(value) || value < 0 || value > 1) {
      ctx.annotations.warn(`quantile value should be between 0 and 1, got ${goFloat(value)}`);
    }
  }
}

function quantileOfBuckets(ctx: EvalContext, q: number, buckets: Bucket[], labels: Labels): number {
  const result = bucketQuantile(q, buckets);
  if (result.forced) {
    const metric = labels[METRIC_NAME];
    ctx.annotations.info(
      metric === undefined ? monotonicityInfo : `${monotonicityInfo} for metric name ${goQuote(metric)}`,
    );
  }
  return result.value;
}

function evalHistogramQuantile(ctx: EvalContext, q: Float64Array, input: StepSeries[]): StepSeries[] {
  warnInvalidQuantiles(ctx, q);
  return evalBucketFunction(
    ctx,
    input,
    (buckets, i, labels) => quantileOfBuckets(ctx, q[i]!, buckets, labels),
    (h, i, labels) => nativeHistogramQuantile(q[i]!, h, labels, ctx.annotations),
  );
}

/** `histogram_quantiles(v, label, q...)`: one series per histogram and quantile, labelled with the quantile. */
function evalHistogramQuantiles(
  ctx: EvalContext,
  input: StepSeries[],
  label: string,
  qs: Float64Array[],
): StepSeries[] {
  for (const q of qs) warnInvalidQuantiles(ctx, q);
  const out = new SeriesCollector(ctx.numSteps);
  // Each quantile adds as many samples as the histograms have: the output can outgrow the input, so it
  // is counted quantile by quantile as it is collected.
  for (const q of qs) {
    const series = evalBucketFunction(
      ctx,
      input,
      (buckets, i, labels) =>
        quantileOfBuckets(
          ctx,
          q[i]!,
          buckets.map((b) => ({ ...b })),
          labels,
        ),
      (h, i, labels) => nativeHistogramQuantile(q[i]!, h, labels, ctx.annotations),
    );
    for (const s of series) {
      let n = 0;
      for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
        const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
        checkDeadline(ctx.limits, to - from);
        for (let i = from; i < to; i++) {
          if (s.present[i] === 0) continue;
          out.add(withLabel(s.labels, label, openMetricsFloat(q[i]!)), true, i, s.values[i]!);
          n++;
        }
      }
      countSamples(ctx.limits, n);
    }
  }
  return out.series();
}
