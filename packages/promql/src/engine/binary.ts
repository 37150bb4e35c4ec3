/**
 * Binary operators with Prometheus semantics: scalar/scalar, vector/scalar and vector/vector with
 * `on`/`ignoring` matching and `group_left`/`group_right`, set operators, filtering comparisons and
 * their `bool` form.
 */
import type { BinaryOp, VectorMatching } from '../parser/ast.ts';
import type { Labels } from '../storage/queryable.ts';
import { type EvalContext, evalError } from './context.ts';
import { goPow } from './float-math.ts';
import {
  dropMetadata,
  formatLabels,
  keyWith,
  keyWithout,
  labelsKey,
  METRIC_NAME,
  omitLabels,
  pickLabels,
} from './labels.ts';
import { SeriesCollector } from './series-collector.ts';
import { emptySeries, type StepSeries } from './step-values.ts';

const comparisonOps = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Whether `op` filters (or, with `bool`, tests) instead of computing a value. */
function isComparison(op: BinaryOp): boolean {
  return comparisonOps.has(op);
}

/** The arithmetic operators; they change what the metric means, so its name is dropped. */
function changesMetricSchema(op: BinaryOp): boolean {
  return !comparisonOps.has(op) && op !== 'and' && op !== 'or' && op !== 'unless';
}

function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      // JavaScript's `%` has Go's `math.Mod` semantics (sign of the dividend, NaN for a zero divisor).
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw evalError(`operator "${op}" not allowed for arithmetic`);
  }
}

function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    default:
      throw evalError(`operator "${op}" is not a comparison`);
  }
}

/** Scalar op scalar at every step; comparisons give 0 or 1 (the parser requires `bool` there). */
export function scalarBinary(op: BinaryOp, lhs: Float64Array, rhs: Float64Array): Float64Array {
  const out = new Float64Array(lhs.length);
  const cmp = isComparison(op);
  for (let i = 0; i < out.length; i++) {
    const l = lhs[i]!;
    const r = rhs[i]!;
    out[i] = cmp ? (compare(op, l, r) ? 1 : 0) : arithmetic(op, l, r);
  }
  return out;
}

/** Vector op scalar (or scalar op vector when `scalarOnLeft`), series by series. */
export function vectorScalarBinary(
  op: BinaryOp,
  vector: readonly StepSeries[],
  scalar: Float64Array,
  scalarOnLeft: boolean,
  returnBool: boolean,
): StepSeries[] {
  const cmp = isComparison(op);
  const dropsName = changesMetricSchema(op) || returnBool;
  const out: StepSeries[] = [];
  for (const s of vector) {
    const res = emptySeries(s.labels, s.dropName || dropsName, s.values.length);
    let any = false;
    for (let i = 0; i < s.values.length; i++) {
      if (s.present[i] === 0) continue;
      const v = s.values[i]!;
      const c = scalar[i]!;
      const l = scalarOnLeft ? c : v;
      const r = scalarOnLeft ? v : c;
      let value: number;
      if (cmp) {
        const keep = compare(op, l, r);
        if (returnBool) value = keep ? 1 : 0;
        else if (keep) value = v;
        else continue;
      } else {
        value = arithmetic(op, l, r);
      }
      res.values[i] = value;
      res.present[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  return out;
}

/** The matching signature of each series: the `on` labels, or all but the `ignoring` labels and the name. */
function signatures(series: readonly StepSeries[], matching: VectorMatching): string[] {
  if (matching.on) {
    const names = [...matching.labels].sort();
    return series.map((s) => keyWith(s.labels, names));
  }
  const excluded = new Set([METRIC_NAME, ...matching.labels]);
  return series.map((s) => keyWithout(s.labels, excluded));
}

/** The labels Prometheus prints for a match group (`MatchLabels`). */
function matchGroupLabels(labels: Labels, matching: VectorMatching): Labels {
  if (matching.on) return pickLabels(labels, matching.labels);
  return omitLabels(labels, new Set([METRIC_NAME, ...matching.labels]));
}

/** Ordinals for the signatures of both sides, shared so that equal signatures get equal ordinals. */
function ordinals(lhs: string[], rhs: string[]): [Int32Array, Int32Array, number] {
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

/** `and`, `or` and `unless` between two vectors, step by step. */
export function setBinary(
  ctx: EvalContext,
  op: 'and' | 'or' | 'unless',
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  matching: VectorMatching,
): StepSeries[] {
  const [lsig, rsig, numSigs] = ordinals(signatures(lhs, matching), signatures(rhs, matching));
  // Stamping a signature with the step number marks it present without clearing an array every step.
  const seen = new Int32Array(numSigs).fill(-1);
  const out = new SeriesCollector(ctx.numSteps);
  for (let step = 0; step < ctx.numSteps; step++) {
    let lhsAny = false;
    let rhsAny = false;
    for (const s of lhs) if (s.present[step] === 1) lhsAny = true;
    for (const s of rhs) if (s.present[step] === 1) rhsAny = true;
    if (op === 'and') {
      if (!lhsAny || !rhsAny) continue;
      for (let j = 0; j < rhs.length; j++) if (rhs[j]!.present[step] === 1) seen[rsig[j]!] = step;
      for (let j = 0; j < lhs.length; j++) {
        const s = lhs[j]!;
        if (s.present[step] === 1 && seen[lsig[j]!] === step)
          out.add(s.labels, s.dropName, step, s.values[step]!);
      }
    } else if (op === 'unless') {
      if (rhsAny) {
        for (let j = 0; j < rhs.length; j++) if (rhs[j]!.present[step] === 1) seen[rsig[j]!] = step;
      }
      for (let j = 0; j < lhs.length; j++) {
        const s = lhs[j]!;
        if (s.present[step] === 1 && seen[lsig[j]!] !== step)
          out.add(s.labels, s.dropName, step, s.values[step]!);
      }
    } else {
      for (let j = 0; j < lhs.length; j++) {
        const s = lhs[j]!;
        if (s.present[step] === 0) continue;
        seen[lsig[j]!] = step;
        out.add(s.labels, s.dropName, step, s.values[step]!);
      }
      for (let j = 0; j < rhs.length; j++) {
        const s = rhs[j]!;
        if (s.present[step] === 1 && seen[rsig[j]!] !== step)
          out.add(s.labels, s.dropName, step, s.values[step]!);
      }
    }
  }
  return out.series();
}

/** Arithmetic and comparison between two vectors with one-to-one, many-to-one or one-to-many matching. */
export function vectorBinary(
  ctx: EvalContext,
  op: BinaryOp,
  lhsIn: readonly StepSeries[],
  rhsIn: readonly StepSeries[],
  matching: VectorMatching,
  returnBool: boolean,
): StepSeries[] {
  const oneToMany = matching.card === 'one-to-many';
  const oneToOne = matching.card === 'one-to-one';
  // One-to-many runs as many-to-one with the sides swapped; values are swapped back for the operator.
  const lhs = oneToMany ? rhsIn : lhsIn;
  const rhs = oneToMany ? lhsIn : rhsIn;
  const [lsig, rsig, numSigs] = ordinals(signatures(lhs, matching), signatures(rhs, matching));
  const cmp = isComparison(op);
  const dropsName = changesMetricSchema(op);
  const rightAt = new Int32Array(numSigs);
  const rightStamp = new Int32Array(numSigs).fill(-1);
  const matchedStamp = new Int32Array(numSigs).fill(-1);
  const matchedMetrics = new Map<number, Set<string>>();
  const metricCache = new Map<number, Labels>();
  const resultMetric = (li: number, ri: number): Labels => {
    const cacheKey = li * rhs.length + ri;
    let metric = metricCache.get(cacheKey);
    if (metric !== undefined) return metric;
    let labels: Record<string, string> = { ...lhs[li]!.labels };
    if (dropsName) labels = { ...dropMetadata(labels) };
    if (oneToOne) {
      if (matching.on) labels = { ...pickLabels(labels, matching.labels) };
      else for (const name of matching.labels) delete labels[name];
    }
    const one = rhs[ri]!.labels;
    for (const name of matching.include) {
      const value = one[name];
      if (value !== undefined && value !== '') labels[name] = value;
      else delete labels[name];
    }
    metric = labels;
    metricCache.set(cacheKey, metric);
    return metric;
  };

  const out = new SeriesCollector(ctx.numSteps);
  for (let step = 0; step < ctx.numSteps; step++) {
    let lhsAny = false;
    for (const s of lhs) {
      if (s.present[step] === 1) {
        lhsAny = true;
        break;
      }
    }
    if (!lhsAny) continue;
    let rhsAny = false;
    for (let j = 0; j < rhs.length; j++) {
      const s = rhs[j]!;
      if (s.present[step] === 0) continue;
      rhsAny = true;
      const sig = rsig[j]!;
      if (rightStamp[sig] === step) {
        const other = rhs[rightAt[sig]!]!;
        let a = formatLabels(s.labels);
        let b = formatLabels(other.labels);
        if (a > b) [a, b] = [b, a];
        throw evalError(
          `found duplicate series for the match group ${formatLabels(matchGroupLabels(s.labels, matching))} ` +
            `on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: [${a}, ${b}]` +
            ';many-to-many matching not allowed: matching labels must be unique on one side',
        );
      }
      rightStamp[sig] = step;
      rightAt[sig] = j;
    }
    if (!rhsAny) continue;
    if (!oneToOne) matchedMetrics.clear();
    for (let j = 0; j < lhs.length; j++) {
      const ls = lhs[j]!;
      if (ls.present[step] === 0) continue;
      const sig = lsig[j]!;
      if (rightStamp[sig] !== step) continue;
      const ri = rightAt[sig]!;
      const rs = rhs[ri]!;
      const fl = oneToMany ? rs.values[step]! : ls.values[step]!;
      const fr = oneToMany ? ls.values[step]! : rs.values[step]!;
      let value: number;
      let keep = true;
      if (cmp) {
        keep = compare(op, fl, fr);
        value = fl;
      } else {
        value = arithmetic(op, fl, fr);
      }
      if (returnBool) value = keep ? 1 : 0;
      const metric = resultMetric(j, ri);
      if (oneToOne) {
        if (matchedStamp[sig] === step) {
          throw evalError(
            'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
          );
        }
        matchedStamp[sig] = step;
      } else {
        let inserted = matchedMetrics.get(sig);
        if (inserted === undefined) {
          inserted = new Set();
          matchedMetrics.set(sig, inserted);
        }
        const key = labelsKey(metric);
        if (inserted.has(key)) {
          throw evalError('multiple matches for labels: grouping labels must ensure unique matches');
        }
        inserted.add(key);
      }
      if (!keep && !returnBool) continue;
      out.add(metric, returnBool, step, value);
    }
  }
  return out.series();
}
