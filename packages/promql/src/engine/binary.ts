/**
 * Binary operators with Prometheus semantics: scalar/scalar, vector/scalar and vector/vector with
 * `on`/`ignoring` matching and `group_left`/`group_right`, set operators, filtering comparisons and
 * their `bool` form.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { BinaryOp, VectorMatching } from '../parser/ast.ts';
import type { Labels } from '../storage/queryable.ts';
import {
  checkDeadline,
  type EvalContext,
  type EvalLimits,
  evalError,
  LABELS_WORK,
  STEP_BLOCK,
} from './context.ts';
import { goPow } from './float-math.ts';
import { histogramElementBinary } from './histogram-binary.ts';
import { dropMetadata, formatLabels, labelsKey, pickLabels } from './labels.ts';
import { SeriesCollector } from './series-collector.ts';
import { emptySeries, type StepSeries, setHistogram } from './step-values.ts';
import { matchGroupLabels, ordinals, signatures } from './vector-matching.ts';

const comparisonOps = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Whether `op` filters (or, with `bool`, tests) instead of computing a value. */
function isComparison(op: BinaryOp): boolean {
  return comparisonOps.has(op);
}

/** The arithmetic operators; they change what the metric means, so its name is dropped. */
function changesMetricSchema(op: BinaryOp): boolean {
  return !comparisonOps.has(op) && !isTrim(op) && op !== 'and' && op !== 'or' && op !== 'unless';
}

/** Trimming is defined on histograms only: float elements go where histograms are handled, to be dropped. */
function isTrim(op: BinaryOp): boolean {
  return op === '</' || op === '>/';
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
      // Only the trim operators get here, between two scalars: Prometheus refuses them the same way.
      throw evalError(`operator "${op}" not allowed for Scalar operations`);
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
export function scalarBinary(
  limits: EvalLimits,
  op: BinaryOp,
  lhs: Float64Array,
  rhs: Float64Array,
): Float64Array {
  const out = new Float64Array(lhs.length);
  const cmp = isComparison(op);
  for (let from = 0; from < out.length; from += STEP_BLOCK) {
    const to = Math.min(out.length, from + STEP_BLOCK);
    checkDeadline(limits, to - from);
    for (let i = from; i < to; i++) {
      const l = lhs[i]!;
      const r = rhs[i]!;
      out[i] = cmp ? (compare(op, l, r) ? 1 : 0) : arithmetic(op, l, r);
    }
  }
  return out;
}

/** Vector op scalar (or scalar op vector when `scalarOnLeft`), series by series. */
export function vectorScalarBinary(
  ctx: EvalContext,
  op: BinaryOp,
  vector: readonly StepSeries[],
  scalar: Float64Array,
  scalarOnLeft: boolean,
  returnBool: boolean,
): StepSeries[] {
  const cmp = isComparison(op);
  const trim = isTrim(op);
  const dropsName = changesMetricSchema(op) || returnBool;
  const out: StepSeries[] = [];
  for (const s of vector) {
    const res = emptySeries(s.labels, s.dropName || dropsName, s.values.length);
    let any = false;
    for (let from = 0; from < s.values.length; from += STEP_BLOCK) {
      const to = Math.min(s.values.length, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0) continue;
        const v = s.values[i]!;
        const c = scalar[i]!;
        const h = s.histograms?.[i];
        if (h !== undefined || trim) {
          // A histogram and a float only multiply, divide or trim; any other operator, comparisons under
          // `bool` included, drops the element with an info.
          const r = scalarOnLeft
            ? histogramElementBinary(op, c, v, undefined, h, ctx.annotations)
            : histogramElementBinary(op, v, c, h, undefined, ctx.annotations);
          if (r?.histogram === undefined) continue;
          setHistogram(res, i, r.histogram);
          any = true;
          continue;
        }
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
    }
    if (any) out.push(res);
  }
  return out;
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
  const [lsig, rsig, numSigs] = ordinals(
    signatures(ctx.limits, lhs, matching),
    signatures(ctx.limits, rhs, matching),
  );
  const cmp = isComparison(op);
  const trim = isTrim(op);
  const dropsName = changesMetricSchema(op);
  const rightAt = new Int32Array(numSigs);
  const rightStamp = new Int32Array(numSigs).fill(-1);
  const matchedStamp = new Int32Array(numSigs).fill(-1);
  const matchedMetrics = new Map<number, Set<string>>();
  const metricCache = new Map<number, Labels>();
  const resultLabels = (left: Labels, one: Labels): Labels => {
    let labels: Record<string, string> = { ...left };
    if (dropsName) labels = { ...dropMetadata(labels) };
    if (oneToOne) {
      if (matching.on) labels = { ...pickLabels(labels, matching.labels) };
      else for (const name of matching.labels) delete labels[name];
    }
    for (const name of matching.include) {
      const value = one[name];
      if (value !== undefined && value !== '') labels[name] = value;
      else delete labels[name];
    }
    return labels;
  };
  const resultMetric = (li: number, ri: number): Labels => {
    const cacheKey = li * rhs.length + ri;
    let metric = metricCache.get(cacheKey);
    if (metric === undefined) {
      metric = resultLabels(lhs[li]!.labels, rhs[ri]!.labels);
      metricCache.set(cacheKey, metric);
    }
    return metric;
  };

  // The usual case: each signature has at most one series on the one side. Then every left series
  // has a fixed partner and is computed series by series (sequential memory, measured ~4x faster on
  // 10k series than visiting every series at every step).
  const partner = new Int32Array(numSigs).fill(-1);
  let unique = true;
  for (let j = 0; j < rhs.length && unique; j++) {
    if (partner[rsig[j]!] !== -1) unique = false;
    partner[rsig[j]!] = j;
  }
  // Fill values (swapped with the sides for one-to-many, as Prometheus swaps the vectors but not them).
  const fillRhs = matching.fill?.rhs;
  const fillLhs = matching.fill?.lhs;
  const filling = fillRhs !== undefined || fillLhs !== undefined;
  if (unique && !filling) {
    checkMatchesBySeries(ctx, lhs, rhs, lsig, partner, oneToOne, resultMetric);
    const out = new SeriesCollector(ctx.numSteps);
    for (let j = 0; j < lhs.length; j++) {
      const ri = partner[lsig[j]!]!;
      if (ri === -1) continue;
      const ls = lhs[j]!;
      const rs = rhs[ri]!;
      let slot: StepSeries | undefined;
      for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
        const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
        checkDeadline(ctx.limits, to - from);
        for (let i = from; i < to; i++) {
          if (ls.present[i] === 0 || rs.present[i] === 0) continue;
          const fl = oneToMany ? rs.values[i]! : ls.values[i]!;
          const fr = oneToMany ? ls.values[i]! : rs.values[i]!;
          const hl = oneToMany ? rs.histograms?.[i] : ls.histograms?.[i];
          const hr = oneToMany ? ls.histograms?.[i] : rs.histograms?.[i];
          let value: number;
          let histogram: FloatHistogram | undefined;
          let keep = true;
          if (hl !== undefined || hr !== undefined || trim) {
            const r = histogramElementBinary(op, fl, fr, hl, hr, ctx.annotations);
            if (r === undefined) continue;
            ({ value, histogram, keep } = r);
          } else if (cmp) {
            keep = compare(op, fl, fr);
            value = fl;
          } else {
            value = arithmetic(op, fl, fr);
          }
          if (returnBool) {
            value = keep ? 1 : 0;
            histogram = undefined;
          } else if (!keep) continue;
          slot ??= out.slot(resultMetric(j, ri), returnBool);
          SeriesCollector.put(slot, i, value, histogram);
        }
      }
    }
    return out.series();
  }

  const out = new SeriesCollector(ctx.numSteps);
  const matchedAt = (sig: number, step: number): boolean =>
    oneToOne ? matchedStamp[sig] === step : (matchedMetrics.get(sig)?.size ?? 0) > 0;
  /**
   * Prometheus's `doBinOp` for a pair where one side is a fill value: `fl`/`hl` belong to the (possibly
   * swapped) left vector, as in the loop below.
   */
  const combineFilled = (
    step: number,
    sig: number,
    left: Labels,
    fl: number,
    hl: FloatHistogram | undefined,
    right: Labels,
    fr: number,
    hr: FloatHistogram | undefined,
  ): void => {
    const [a, b, ha, hb] = oneToMany ? [fr, fl, hr, hl] : [fl, fr, hl, hr];
    let value: number;
    let histogram: FloatHistogram | undefined;
    let keep = true;
    if (ha !== undefined || hb !== undefined || trim) {
      const r = histogramElementBinary(op, a, b, ha, hb, ctx.annotations);
      if (r === undefined) return;
      ({ value, histogram, keep } = r);
    } else if (cmp) {
      keep = compare(op, a, b);
      value = a;
    } else {
      value = arithmetic(op, a, b);
    }
    if (returnBool) {
      value = keep ? 1 : 0;
      histogram = undefined;
    }
    const metric = resultLabels(left, right);
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
    if (!keep && !returnBool) return;
    SeriesCollector.put(out.slot(metric, returnBool), step, value, histogram);
  };
  // A left series nearly always matches the same right series on every step; remembering that pair's
  // result labels and output slot skips the metric cache and collector lookups per step.
  const lastRight = new Int32Array(lhs.length).fill(-1);
  const lastMetric: Labels[] = new Array(lhs.length);
  const lastSlot: (StepSeries | undefined)[] = new Array(lhs.length);
  for (let step = 0; step < ctx.numSteps; step++) {
    checkDeadline(ctx.limits, lhs.length + rhs.length);
    let lhsAny = false;
    for (const s of lhs) {
      if (s.present[step] === 1) {
        lhsAny = true;
        break;
      }
    }
    if (!lhsAny && fillLhs === undefined) continue;
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
    if (!lhsAny && !rhsAny) continue;
    if ((!lhsAny || !rhsAny) && !filling) continue;
    if (!oneToOne) matchedMetrics.clear();
    for (let j = 0; j < lhs.length; j++) {
      const ls = lhs[j]!;
      if (ls.present[step] === 0) continue;
      const sig = lsig[j]!;
      if (rightStamp[sig] !== step) {
        if (fillRhs !== undefined) {
          const filled = matchGroupLabels(ls.labels, matching);
          const hl = ls.histograms?.[step];
          combineFilled(step, sig, ls.labels, ls.values[step]!, hl, filled, fillRhs, undefined);
        }
        continue;
      }
      const ri = rightAt[sig]!;
      const rs = rhs[ri]!;
      const fl = oneToMany ? rs.values[step]! : ls.values[step]!;
      const fr = oneToMany ? ls.values[step]! : rs.values[step]!;
      const hl = oneToMany ? rs.histograms?.[step] : ls.histograms?.[step];
      const hr = oneToMany ? ls.histograms?.[step] : rs.histograms?.[step];
      let value: number;
      let histogram: FloatHistogram | undefined;
      let keep = true;
      if (hl !== undefined || hr !== undefined || trim) {
        const r = histogramElementBinary(op, fl, fr, hl, hr, ctx.annotations);
        if (r === undefined) continue;
        ({ value, histogram, keep } = r);
      } else if (cmp) {
        keep = compare(op, fl, fr);
        value = fl;
      } else {
        value = arithmetic(op, fl, fr);
      }
      if (returnBool) {
        value = keep ? 1 : 0;
        histogram = undefined;
      }
      let metric: Labels;
      if (lastRight[j] === ri) {
        metric = lastMetric[j]!;
      } else {
        metric = resultMetric(j, ri);
        lastRight[j] = ri;
        lastMetric[j] = metric;
        lastSlot[j] = undefined;
      }
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
      let slot = lastSlot[j];
      if (slot === undefined) {
        slot = out.slot(metric, returnBool);
        lastSlot[j] = slot;
      }
      SeriesCollector.put(slot, step, value, histogram);
    }
    if (fillLhs === undefined) continue;
    // Right series left without a match take the left fill value.
    for (let j = 0; j < rhs.length; j++) {
      const rs = rhs[j]!;
      if (rs.present[step] === 0) continue;
      const sig = rsig[j]!;
      if (matchedAt(sig, step)) continue;
      const filled = matchGroupLabels(rs.labels, matching);
      combineFilled(
        step,
        sig,
        filled,
        fillLhs,
        undefined,
        rs.labels,
        rs.values[step]!,
        rs.histograms?.[step],
      );
    }
  }
  return out.series();
}

/**
 * The matching errors Prometheus raises step by step, checked up front for the series-by-series path:
 * two left series of one signature present at the same step (one-to-one), or giving the same result
 * labels (many-to-one).
 */
function checkMatchesBySeries(
  ctx: EvalContext,
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  lsig: Int32Array,
  partner: Int32Array,
  oneToOne: boolean,
  resultMetric: (li: number, ri: number) => Labels,
): void {
  const numSteps = ctx.numSteps;
  const groups = new Map<string, number[]>();
  for (let j = 0; j < lhs.length; j++) {
    checkDeadline(ctx.limits, LABELS_WORK);
    const ri = partner[lsig[j]!]!;
    if (ri === -1) continue;
    const key = oneToOne ? String(lsig[j]) : `${lsig[j]}\xff${labelsKey(resultMetric(j, ri))}`;
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [j]);
    else members.push(j);
  }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const right = rhs[partner[lsig[members[0]!]!]!]!;
    checkDeadline(ctx.limits, numSteps * members.length);
    for (let i = 0; i < numSteps; i++) {
      if (right.present[i] === 0) continue;
      let present = 0;
      for (const j of members) present += lhs[j]!.present[i]!;
      if (present < 2) continue;
      throw evalError(
        oneToOne
          ? 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'
          : 'multiple matches for labels: grouping labels must ensure unique matches',
      );
    }
  }
}
