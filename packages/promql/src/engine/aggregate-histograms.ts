/**
 * Aggregations over vectors that hold native histogram samples, as Prometheus 3 evaluates them: `sum` and
 * `avg` add histograms (Kahan-compensated) and refuse a group mixing floats and histograms; `min`, `max`,
 * `stddev`, `stdvar`, `quantile`, `topk` and `bottomk` ignore histograms with an info; `count`, `group`,
 * `limitk` and `limit_ratio` take them like floats; `count_values` counts them by their text.
 */
import type { Aggregate } from '../parser/ast.ts';
import type { Labels } from '../storage/queryable.ts';
import { aggregateSimple, groupSeries } from './aggregate.ts';
import { checkDeadline, type EvalContext, STEP_BLOCK } from './context.ts';
import { HistogramMean, HistogramSum } from './histogram-accumulators.ts';
import {
  annotateAccumulation,
  infoHistogramIgnoredInAggregation,
  warnMixedFloatsHistogramsAggregation,
} from './histogram-annotations.ts';
import { labelsKey } from './labels.ts';
import { emptySeries, type StepSeries, setHistogram } from './step-values.ts';

/** Aggregations that read floats only and skip histograms, with an info. */
export const FLOAT_ONLY_AGGREGATIONS: ReadonlySet<string> = new Set([
  'min',
  'max',
  'stddev',
  'stdvar',
  'quantile',
  'topk',
  'bottomk',
]);

/**
 * `input` without its histogram samples; a series left empty is dropped. With `op`, the info that `op`
 * ignored histograms is added when there were any.
 */
export function withoutHistograms(ctx: EvalContext, input: StepSeries[], op?: string): StepSeries[] {
  let ignored = false;
  const out: StepSeries[] = [];
  for (const s of input) {
    const histograms = s.histograms;
    if (histograms === undefined) {
      out.push(s);
      continue;
    }
    const floats = emptySeries(s.labels, s.dropName, s.values.length);
    let any = false;
    for (let from = 0; from < s.values.length; from += STEP_BLOCK) {
      const to = Math.min(s.values.length, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0) continue;
        if (histograms[i] !== undefined) {
          ignored = true;
          continue;
        }
        floats.values[i] = s.values[i]!;
        floats.present[i] = 1;
        any = true;
      }
    }
    if (any) out.push(floats);
  }
  if (ignored && op !== undefined) infoHistogramIgnoredInAggregation(ctx.annotations, op);
  return out;
}

/**
 * `sum` or `avg` of a vector with histograms: floats aggregate as without histograms, histograms into a
 * histogram per group and step; a group and step with both gives nothing, with a warning.
 */
export function aggregateSumAvgHistograms(
  ctx: EvalContext,
  node: Aggregate,
  input: readonly StepSeries[],
): StepSeries[] {
  const floatGroups = new Map<string, StepSeries>();
  for (const s of aggregateSimple(ctx, node, withoutHistograms(ctx, [...input]), undefined)) {
    floatGroups.set(labelsKey(s.labels), s);
  }
  const { of, labels } = groupSeries(ctx.limits, input, node.grouping, node.without);
  const out = labels.map((l) => emptySeries(l, false, ctx.numSteps));
  const floatsOf = labels.map((l) => floatGroups.get(labelsKey(l)));
  const accumulators: (HistogramSum | HistogramMean | undefined)[] = new Array(labels.length);
  const failedAt: (Labels | undefined)[] = new Array(labels.length);
  const hasFloat = new Uint8Array(labels.length);
  const dropName = new Uint8Array(labels.length);
  for (let i = 0; i < ctx.numSteps; i++) {
    checkDeadline(ctx.limits, input.length + labels.length);
    accumulators.fill(undefined);
    failedAt.fill(undefined);
    hasFloat.fill(0);
    dropName.fill(0);
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.present[i] === 0) continue;
      const g = of[si]!;
      if (s.dropName) dropName[g] = 1;
      const h = s.histograms?.[i];
      if (h === undefined) {
        hasFloat[g] = 1;
        continue;
      }
      const acc = accumulators[g];
      if (acc === undefined) {
        accumulators[g] = node.op === 'sum' ? new HistogramSum(h) : new HistogramMean(h);
        continue;
      }
      const wasMixed = acc.mixedSchemas;
      acc.add(h);
      if (acc.mixedSchemas && !wasMixed) failedAt[g] = s.labels;
    }
    for (let g = 0; g < labels.length; g++) {
      const res = out[g]!;
      const acc = accumulators[g];
      if (acc === undefined) {
        const floats = floatsOf[g];
        if (floats === undefined || floats.present[i] === 0) continue;
        res.values[i] = floats.values[i]!;
        res.present[i] = 1;
        res.dropName = floats.dropName;
        continue;
      }
      if (hasFloat[g] === 1) {
        warnMixedFloatsHistogramsAggregation(ctx.annotations);
        continue;
      }
      annotateAccumulation(ctx.annotations, acc, failedAt[g] ?? {});
      const result = acc.result();
      if (result === undefined) continue;
      setHistogram(res, i, result);
      res.dropName = dropName[g] === 1;
    }
  }
  return out.filter((s) => s.present.indexOf(1) !== -1);
}
