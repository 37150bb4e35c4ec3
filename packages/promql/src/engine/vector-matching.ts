/**
 * Vector matching: the signature each series matches on (`on(...)` labels, or all but the
 * `ignoring(...)` labels and the name), as ordinals shared by both sides of an operator.
 */
import type { VectorMatching } from '../parser/ast.ts';
import type { Labels } from '../storage/queryable.ts';
import { checkDeadline, type EvalLimits, LABELS_WORK } from './context.ts';
import { keyWith, keyWithout, METRIC_NAME, omitLabels, pickLabels } from './labels.ts';
import type { StepSeries } from './step-values.ts';

/** The matching signature of each series: the `on` labels, or all but the `ignoring` labels and the name. */
export function signatures(
  limits: EvalLimits,
  series: readonly StepSeries[],
  matching: VectorMatching,
): string[] {
  const names = [...matching.labels].sort();
  const excluded = new Set([METRIC_NAME, ...matching.labels]);
  return series.map((s) => {
    checkDeadline(limits, LABELS_WORK);
    return matching.on ? keyWith(s.labels, names) : keyWithout(s.labels, excluded);
  });
}

/** The labels Prometheus prints for a match group (`MatchLabels`). */
export function matchGroupLabels(labels: Labels, matching: VectorMatching): Labels {
  if (matching.on) return pickLabels(labels, matching.labels);
  return omitLabels(labels, new Set([METRIC_NAME, ...matching.labels]));
}

/** Ordinals for the signatures of both sides, shared so that equal signatures get equal ordinals. */
export function ordinals(lhs: string[], rhs: string[]): [Int32Array, Int32Array, number] {
  const ids = new Map<string, number>();
  const map = (sigs: string[]): Int32Array => {
    const out = new Int32Array(sigs.length);
    for (let i = 0; i < sigs.length; i++) {
      const sig = sigs[i]!;
      let id = ids.get(sig);
      if (id === undefined) {
        id = ids.size;
        ids.set(sig, id);
      }
      out[i] = id;
    }
    return out;
  };
  const l = map(lhs);
  const r = map(rhs);
  return [l, r, ids.size];
}
