/**
 * Aggregation operators with Prometheus semantics: grouping with `by`/`without`, Kahan-compensated
 * `sum`/`avg` (switching to an incremental mean only where a sum would overflow), Welford
 * `stddev`/`stdvar`, `quantile`, `count_values`, and `topk`/`bottomk`/`limitk` with Prometheus's heap
 * order so that ties resolve the same way.
 */

import { histogramString } from '../histogram/histogram-string.ts';
import type { Aggregate } from '../parser/ast.ts';
import { goQuote } from '../parser/go-strings.ts';
import type { Labels } from '../storage/queryable.ts';
import { goFloat } from './annotations.ts';
import {
  checkDeadline,
  type EvalContext,
  type EvalLimits,
  evalError,
  LABELS_WORK,
  STEP_BLOCK,
} from './context.ts';
import { type KahanState, kahanInc, quantileOf } from './float-math.ts';
import {
  isValidLabelName,
  keyWith,
  keyWithout,
  METRIC_NAME,
  omitLabels,
  pickLabels,
  withLabel,
} from './labels.ts';
import { SeriesCollector } from './series-collector.ts';
import { emptySeries, type StepSeries } from './step-values.ts';

/** Input series grouped for an aggregation. */
export interface Groups {
  /** Group index of each input series. */
  readonly of: Int32Array;
  readonly labels: Labels[];
}

/** Groups input series by `by`/`without` labels: each series' group index and each group's labels. */
export function groupSeries(
  limits: EvalLimits,
  series: readonly StepSeries[],
  grouping: readonly string[],
  without: boolean,
): Groups {
  const sorted = [...grouping].sort();
  const excluded = new Set([...grouping, METRIC_NAME]);
  const index = new Map<string, number>();
  const of = new Int32Array(series.length);
  const labels: Labels[] = [];
  for (let i = 0; i < series.length; i++) {
    checkDeadline(limits, LABELS_WORK);
    const l = series[i]!.labels;
    const key = without ? keyWithout(l, excluded) : keyWith(l, sorted);
    let g = index.get(key);
    if (g === undefined) {
      g = labels.length;
      index.set(key, g);
      labels.push(without ? omitLabels(l, excluded) : pickLabels(l, sorted));
    }
    of[i] = g;
  }
  return { of, labels };
}

/** Evaluates sum, avg, min, max, count, group, stddev, stdvar and quantile. */
export function aggregateSimple(
  ctx: EvalContext,
  node: Aggregate,
  input: readonly StepSeries[],
  param: Float64Array | undefined,
): StepSeries[] {
  const { of, labels } = groupSeries(ctx.limits, input, node.grouping, node.without);
  const numSteps = ctx.numSteps;
  const numGroups = labels.length;
  const op = node.op;
  if (op === 'quantile') return aggregateQuantile(ctx, input, of, labels, param!);
  const size = numGroups * numSteps;
  // Accumulators laid out group-major as flat typed arrays, filled series by series: the same additions
  // in the same order as Prometheus's step-by-step loop, without a per-step gather.
  const seen = new Uint8Array(size);
  const value = new Float64Array(size);
  const comp = new Float64Array(size);
  const mean = new Float64Array(size);
  const count = new Float64Array(size);
  const incremental = op === 'avg' ? new Uint8Array(size) : undefined;
  // Per group and step, as Prometheus decides name removal per step (the last step with a value wins).
  const dropName = new Uint8Array(size);
  const acc = { seen, value, comp, mean, count, incremental, dropName };
  if (op === 'sum') sumInto(ctx.limits, input, of, numSteps, seen, value, comp, dropName);
  else accumulate(ctx.limits, op, input, of, numSteps, acc);
  return collectGroups(ctx.limits, op, labels, numSteps, acc);
}

interface Accumulators {
  readonly seen: Uint8Array;
  readonly value: Float64Array;
  readonly comp: Float64Array;
  readonly mean: Float64Array;
  readonly count: Float64Array;
  readonly incremental: Uint8Array | undefined;
  readonly dropName: Uint8Array;
}

function accumulate(
  limits: EvalLimits,
  op: Aggregate['op'],
  input: readonly StepSeries[],
  of: Int32Array,
  numSteps: number,
  acc: Accumulators,
): void {
  const { seen, value, comp, mean, count, incremental, dropName } = acc;
  const k: KahanState = { sum: 0, c: 0 };
  for (let si = 0; si < input.length; si++) {
    const s = input[si]!;
    const g = of[si]!;
    const base = g * numSteps;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0) continue;
        const f = s.values[i]!;
        const a = base + i;
        if (s.dropName) dropName[a] = 1;
        if (seen[a] === 0) {
          seen[a] = 1;
          value[a] = f;
          mean[a] = f;
          count[a] = 1;
          comp[a] = 0;
          if (op === 'stddev' || op === 'stdvar') value[a] = Number.isFinite(f) ? 0 : Number.NaN;
          else if (op === 'group') value[a] = 1;
          continue;
        }
        switch (op) {
          case 'avg': {
            const n = ++count[a]!;
            if (incremental![a] === 0) {
              k.sum = value[a]!;
              k.c = comp[a]!;
              kahanInc(k, f);
              if (k.sum !== Number.POSITIVE_INFINITY && k.sum !== Number.NEGATIVE_INFINITY) {
                value[a] = k.sum;
                comp[a] = k.c;
                break;
              }
              // The direct sum would overflow: continue with an incremental mean from here on.
              incremental![a] = 1;
              mean[a] = value[a]! / (n - 1);
              comp[a] = comp[a]! / (n - 1);
            }
            const q = (n - 1) / n;
            k.sum = q * mean[a]!;
            k.c = q * comp[a]!;
            kahanInc(k, f / n);
            mean[a] = k.sum;
            comp[a] = k.c;
            break;
          }
          case 'max':
            if (value[a]! < f || Number.isNaN(value[a]!)) value[a] = f;
            break;
          case 'min':
            if (value[a]! > f || Number.isNaN(value[a]!)) value[a] = f;
            break;
          case 'count':
            count[a]!++;
            break;
          case 'stddev':
          case 'stdvar': {
            const n = ++count[a]!;
            const delta = f - mean[a]!;
            mean[a] = mean[a]! + delta / n;
            value[a] = value[a]! + delta * (f - mean[a]!);
            break;
          }
          default:
            break;
        }
      }
    }
  }
}

function collectGroups(
  limits: EvalLimits,
  op: Aggregate['op'],
  labels: Labels[],
  numSteps: number,
  acc: Accumulators,
): StepSeries[] {
  const { seen, value, comp, mean, count, incremental, dropName } = acc;
  const out: StepSeries[] = [];
  for (let g = 0; g < labels.length; g++) {
    const res = emptySeries(labels[g]!, false, numSteps);
    let any = false;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        const a = g * numSteps + i;
        if (seen[a] === 0) continue;
        let v = value[a]!;
        switch (op) {
          case 'avg':
            v = incremental![a] === 1 ? mean[a]! + comp[a]! : v / count[a]! + comp[a]! / count[a]!;
            break;
          case 'sum':
            v += comp[a]!;
            break;
          case 'count':
            v = count[a]!;
            break;
          case 'stdvar':
            v /= count[a]!;
            break;
          case 'stddev':
            v = Math.sqrt(v / count[a]!);
            break;
          default:
            break;
        }
        res.values[i] = v;
        res.present[i] = 1;
        res.dropName = dropName[a] === 1;
        any = true;
      }
    }
    if (any) out.push(res);
  }
  return out;
}

/**
 * The `sum` accumulation, kept separate from the generic loop: the hottest aggregation gets a tight
 * loop with Kahan–Neumaier inlined (measured: ~3x faster than the shared switch with a state object).
 */
function sumInto(
  limits: EvalLimits,
  input: readonly StepSeries[],
  of: Int32Array,
  numSteps: number,
  seen: Uint8Array,
  value: Float64Array,
  comp: Float64Array,
  dropName: Uint8Array,
): void {
  for (let si = 0; si < input.length; si++) {
    const s = input[si]!;
    const g = of[si]!;
    const base = g * numSteps;
    const present = s.present;
    const values = s.values;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        if (present[i] === 0) continue;
        const f = values[i]!;
        const a = base + i;
        if (s.dropName) dropName[a] = 1;
        if (seen[a] === 0) {
          seen[a] = 1;
          value[a] = f;
          continue;
        }
        const sum = value[a]!;
        const t = sum + f;
        if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) comp[a] = 0;
        else if (Math.abs(sum) >= Math.abs(f)) comp[a] = comp[a]! + (sum - t + f);
        else comp[a] = comp[a]! + (f - t + sum);
        value[a] = t;
      }
    }
  }
}

function aggregateQuantile(
  ctx: EvalContext,
  input: readonly StepSeries[],
  of: Int32Array,
  labels: Labels[],
  param: Float64Array,
): StepSeries[] {
  warnQuantileParams(ctx, param);
  const out = labels.map((l) => emptySeries(l, false, ctx.numSteps));
  const buckets: number[][] = labels.map(() => []);
  for (let i = 0; i < ctx.numSteps; i++) {
    checkDeadline(ctx.limits, input.length + labels.length);
    for (const b of buckets) b.length = 0;
    const dropAt = new Uint8Array(labels.length);
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.present[i] === 0) continue;
      buckets[of[si]!]!.push(s.values[i]!);
      if (s.dropName) dropAt[of[si]!] = 1;
    }
    for (let g = 0; g < buckets.length; g++) {
      const values = buckets[g]!;
      if (values.length === 0) continue;
      out[g]!.values[i] = quantileOf(param[i]!, values);
      out[g]!.present[i] = 1;
      out[g]!.dropName = dropAt[g] === 1;
    }
  }
  return out.filter((s) => s.present.indexOf(1) !== -1);
}

function warnQuantileParams(ctx: EvalContext, param: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nan = false;
  for (const q of param) {
    if (Number.isNaN(q)) nan = true;
    else {
      if (q < min) min = q;
      if (q > max) max = q;
    }
  }
  const warn = (q: number) =>
    ctx.annotations.warn(`quantile value should be between 0 and 1, got ${goFloat(q)}`);
  if (nan) warn(Number.NaN);
  if (max > 1) warn(max);
  if (min < 0) warn(min);
}

/** `count_values`: one series per distinct value (formatted as Go's `FormatFloat(v, 'f', -1, 64)`). */
export function aggregateCountValues(
  ctx: EvalContext,
  node: Aggregate,
  input: readonly StepSeries[],
  labelName: string,
): StepSeries[] {
  if (!isValidLabelName(labelName)) throw evalError(`invalid label name ${goQuote(labelName)}`);
  const grouping = node.without ? node.grouping : [...node.grouping, labelName];
  const sorted = [...grouping].sort();
  const excluded = new Set([...grouping, METRIC_NAME]);
  const out = new SeriesCollector(ctx.numSteps);
  const labelCache = new Map<string, Labels>();
  const counts = new Map<string, number>();
  for (let i = 0; i < ctx.numSteps; i++) {
    // Every present series formats its value and builds a label key.
    checkDeadline(ctx.limits, input.length * LABELS_WORK);
    counts.clear();
    for (const s of input) {
      if (s.present[i] === 0) continue;
      const h = s.histograms?.[i];
      const text = h === undefined ? formatGoFloat(s.values[i]!) : histogramString(h);
      const withValue = withLabel(s.labels, labelName, text);
      const key = node.without ? keyWithout(withValue, excluded) : keyWith(withValue, sorted);
      if (!labelCache.has(key)) {
        labelCache.set(key, node.without ? omitLabels(withValue, excluded) : pickLabels(withValue, sorted));
      }
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) out.add(labelCache.get(key)!, false, i, n);
  }
  return out.series();
}

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const negative = v < 0;
  const [mantissa, expText] = (negative ? s.slice(1) : s).split('e') as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  const pointAt = (mantissa.indexOf('.') === -1 ? mantissa.length : mantissa.indexOf('.')) + exp;
  let body: string;
  if (pointAt <= 0) body = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) body = digits + '0'.repeat(pointAt - digits.length);
  else body = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${body}` : body;
}
