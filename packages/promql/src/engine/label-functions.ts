/**
 * Functions that work on label sets rather than values: `label_replace`, `label_join`, the `sort`
 * family and `absent`; and the merge of series that end up with the same labels.
 */
import type { Expr } from '../parser/ast.ts';
import type { Labels } from '../storage/queryable.ts';
import { compileLabelRegex, goExpand } from '../storage/re2-regex.ts';
import { checkDeadline, type EvalLimits, evalError, LABELS_WORK, STEP_BLOCK } from './context.ts';
import { compareLabels, isValidLabelName, labelsKey, METRIC_NAME, withLabel } from './labels.ts';
import { type StepSeries, setHistogram } from './step-values.ts';

/**
 * Merges series whose label sets became equal (e.g. after the name was dropped); an overlap at any
 * step is Prometheus's "same labelset" error.
 */
export function mergeSameLabels(limits: EvalLimits, series: StepSeries[]): StepSeries[] {
  if (series.length <= 1) return series;
  const byKey = new Map<string, StepSeries>();
  let merged = false;
  for (const s of series) {
    const key = labelsKey(s.labels);
    checkDeadline(limits, LABELS_WORK + key.length);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, s);
      continue;
    }
    merged = true;
    for (let from = 0; from < s.present.length; from += STEP_BLOCK) {
      const to = Math.min(s.present.length, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0) continue;
        if (existing.present[i] === 1)
          throw evalError('vector cannot contain metrics with the same labelset');
        const h = s.histograms?.[i];
        if (h !== undefined) setHistogram(existing, i, h);
        existing.present[i] = 1;
        existing.values[i] = s.values[i]!;
      }
    }
  }
  return merged ? [...byKey.values()] : series;
}

/** `label_replace(v, dst, replacement, src, regex)`. */
export function labelReplace(
  limits: EvalLimits,
  input: StepSeries[],
  dst: string,
  replacement: string,
  src: string,
  regexText: string,
): StepSeries[] {
  const regex = compileLabelRegex(regexText);
  if (typeof regex === 'string')
    throw evalError(`invalid regular expression in label_replace(): ${regexText}`);
  if (!isValidLabelName(dst)) throw evalError(`invalid destination label name in label_replace(): ${dst}`);
  for (const s of input) {
    const value = s.labels[src] ?? '';
    // Matching and expanding cost the length of the value, which nested calls can make grow fast.
    checkDeadline(limits, LABELS_WORK + value.length);
    const match = regex.match(value);
    if (match === null) continue;
    s.labels = withLabel(s.labels, dst, goExpand(replacement, match));
    if (dst === METRIC_NAME) s.dropName = false;
  }
  return mergeSameLabels(limits, input);
}

/** `label_join(v, dst, separator, src...)`. */
export function labelJoin(
  limits: EvalLimits,
  input: StepSeries[],
  dst: string,
  separator: string,
  sources: string[],
): StepSeries[] {
  for (const src of sources) {
    if (!isValidLabelName(src)) throw evalError(`invalid source label name in label_join(): ${src}`);
  }
  if (!isValidLabelName(dst)) throw evalError(`invalid destination label name in label_join(): ${dst}`);
  for (const s of input) {
    const joined = sources.map((src) => s.labels[src] ?? '').join(separator);
    checkDeadline(limits, LABELS_WORK + joined.length);
    s.labels = withLabel(s.labels, dst, joined);
    if (dst === METRIC_NAME) s.dropName = false;
  }
  return mergeSameLabels(limits, input);
}

/** Ascending with NaN last (`sort`), or descending with NaN last (`sort_desc`), by the first step's value. */
export function sortByValue(limits: EvalLimits, input: StepSeries[], descending: boolean): StepSeries[] {
  checkDeadline(limits, input.length * Math.ceil(Math.log2(input.length + 1)));
  return [...input].sort((a, b) => {
    const x = a.values[0]!;
    const y = b.values[0]!;
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return descending ? y - x : x - y;
  });
}

/** Natural order of label values: digit runs compare as numbers, as Prometheus's `natsort`. */
export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+|\D+)/g;
  const ac = a.match(chunk) ?? [];
  const bc = b.match(chunk) ?? [];
  const n = Math.min(ac.length, bc.length);
  for (let i = 0; i < n; i++) {
    const x = ac[i]!;
    const y = bc[i]!;
    if (x === y) continue;
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      const xn = x.replace(/^0+/, '');
      const yn = y.replace(/^0+/, '');
      if (xn.length !== yn.length) return xn.length - yn.length;
      if (xn !== yn) return xn < yn ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ac.length - bc.length;
}

/** `sort_by_label` / `sort_by_label_desc`: natural order of the given labels, then the full label set. */
export function sortByLabels(
  limits: EvalLimits,
  input: StepSeries[],
  names: string[],
  descending: boolean,
): StepSeries[] {
  const sign = descending ? -1 : 1;
  return [...input].sort((a, b) => {
    // A comparison of label values in natural order is label work; a sort of many series can run long.
    checkDeadline(limits, LABELS_WORK);
    for (const name of names) {
      const x = a.labels[name] ?? '';
      const y = b.labels[name] ?? '';
      if (x === y) continue;
      return sign * naturalCompare(x, y);
    }
    return sign * compareLabels(a.labels, b.labels);
  });
}

/** The labels `absent(selector)` reports: the selector's equality matchers, except on the name. */
export function absentLabels(arg: Expr): Labels {
  let inner = arg;
  while (inner.type === 'paren') inner = inner.expr;
  const selector =
    inner.type === 'vectorSelector' ? inner : inner.type === 'matrixSelector' ? inner.vector : undefined;
  if (selector === undefined) return {};
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of selector.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !seen.has(m.name)) {
      if (m.value !== '') out[m.name] = m.value;
      seen.add(m.name);
    } else {
      delete out[m.name];
    }
  }
  return out;
}
