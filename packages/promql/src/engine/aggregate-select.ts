/**
 * `topk`, `bottomk`, `limitk` and `limit_ratio`: aggregations that select input series instead of
 * computing a value. `topk`/`bottomk` keep Prometheus's binary heap, so ties resolve to the same series.
 */
import type { Aggregate } from '../parser/ast.ts';
import { groupSeries } from './aggregate.ts';
import { goFloat } from './annotations.ts';
import { checkDeadline, type EvalContext, evalError, LABELS_WORK } from './context.ts';
import { labelsHash } from './label-hash.ts';
import { SeriesCollector } from './series-collector.ts';
import type { StepSeries } from './step-values.ts';

interface Entry {
  readonly series: number;
  readonly value: number;
}

/** Go's `container/heap` push and fix over a `less` order, so ties resolve as in Prometheus. */
function heapUp(h: Entry[], j: number, less: (a: Entry, b: Entry) => boolean): void {
  while (j > 0) {
    const i = Math.trunc((j - 1) / 2);
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    j = i;
  }
}

function heapDown(h: Entry[], i0: number, less: (a: Entry, b: Entry) => boolean): boolean {
  const n = h.length;
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    i = j;
  }
  return i > i0;
}

const byValue = (a: Entry, b: Entry): boolean => Number.isNaN(a.value) || a.value < b.value;
const byReverseValue = (a: Entry, b: Entry): boolean => Number.isNaN(a.value) || a.value > b.value;

// float64(math.MaxInt64) in Go rounds to 2^63.
const maxInt64 = 2 ** 63;

/** `topk`, `bottomk` and `limitk`: the selected input series, with their own labels. */
export function aggregateK(
  ctx: EvalContext,
  node: Aggregate,
  input: readonly StepSeries[],
  param: Float64Array,
): StepSeries[] {
  let pmax = Number.NEGATIVE_INFINITY;
  let pmin = Number.POSITIVE_INFINITY;
  for (const p of param) {
    if (Number.isNaN(p)) throw evalError('Parameter value is NaN');
    pmax = Math.max(pmax, p);
    pmin = Math.min(pmin, p);
  }
  if (pmax < 1) return [];
  if (pmin <= -maxInt64) throw evalError(`Scalar value ${goFloat(pmin)} underflows int64`);
  if (pmax >= maxInt64) throw evalError(`Scalar value ${goFloat(pmax)} overflows int64`);
  const { of, labels } = groupSeries(ctx.limits, input, node.grouping, node.without);
  const op = node.op;
  const less = op === 'bottomk' ? byReverseValue : byValue;
  const heaps: Entry[][] = labels.map(() => []);
  const out = new SeriesCollector(ctx.numSteps);
  for (let i = 0; i < ctx.numSteps; i++) {
    const k = Math.min(Math.trunc(param[i]!), input.length);
    if (k < 1) continue;
    // A heap update costs about log k; every series is visited.
    checkDeadline(ctx.limits, input.length * Math.ceil(Math.log2(k + 1)));
    for (const h of heaps) h.length = 0;
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.present[i] === 0) continue;
      const h = heaps[of[si]!]!;
      const e: Entry = { series: si, value: s.values[i]! };
      if (op === 'limitk' && h.length >= k) continue;
      if (h.length < k) {
        h.push(e);
        heapUp(h, h.length - 1, less);
        continue;
      }
      const top = h[0]!;
      const replace =
        op === 'topk'
          ? top.value < e.value || (Number.isNaN(top.value) && !Number.isNaN(e.value))
          : top.value > e.value || (Number.isNaN(top.value) && !Number.isNaN(e.value));
      if (replace) {
        h[0] = e;
        if (k > 1 && !heapDown(h, 0, less)) heapUp(h, 0, less);
      }
    }
    for (const h of heaps) {
      // limitk keeps its heap order, as Prometheus emits it.
      if (op !== 'limitk' && h.length > 1) {
        // Prometheus sorts the heap in reverse heap order; Go's sort is an insertion sort (stable) for
        // the small k seen in practice, which Array.prototype.sort (stable) reproduces.
        h.sort((a, b) => (less(b, a) ? -1 : less(a, b) ? 1 : 0));
      }
      for (const e of h) {
        const s = input[e.series]!;
        SeriesCollector.put(out.slot(s.labels, s.dropName), i, e.value, s.histograms?.[i]);
      }
    }
  }
  return out.series();
}

/**
 * `limit_ratio(r, v)`: a deterministic sample of about `r` of the series (`1 + r` from the other end
 * for negative `r`), chosen by each series' label hash as Prometheus chooses them. Each group keeps its
 * picks in a value heap, as Prometheus does, so an instant query lists them in Prometheus's order.
 */
export function aggregateLimitRatio(
  ctx: EvalContext,
  node: Aggregate,
  input: readonly StepSeries[],
  param: Float64Array,
): StepSeries[] {
  let pmax = Number.NEGATIVE_INFINITY;
  let pmin = Number.POSITIVE_INFINITY;
  for (const p of param) {
    pmax = Math.max(pmax, p);
    pmin = Math.min(pmin, p);
  }
  if (pmax === 0 && pmin === 0) return [];
  if (param.some(Number.isNaN)) throw evalError('Ratio value is NaN');
  if (pmax > 1)
    ctx.annotations.warn(`ratio value should be between -1 and 1, got ${goFloat(pmax)}, capping to 1`);
  if (pmin < -1)
    ctx.annotations.warn(`ratio value should be between -1 and 1, got ${goFloat(pmin)}, capping to -1`);
  // The hash costs BigInt arithmetic, so it is computed once per series, not per step.
  const offsets = input.map((s) => {
    checkDeadline(ctx.limits, LABELS_WORK);
    return Number(labelsHash(s.labels)) / 2 ** 64;
  });
  const { of, labels } = groupSeries(ctx.limits, input, node.grouping, node.without);
  const heaps: Entry[][] = labels.map(() => []);
  const out = new SeriesCollector(ctx.numSteps);
  for (let i = 0; i < ctx.numSteps; i++) {
    const r = Math.max(-1, Math.min(1, param[i]!));
    if (r === 0) continue;
    checkDeadline(ctx.limits, input.length);
    for (const h of heaps) h.length = 0;
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.present[i] === 0) continue;
      const offset = offsets[si]!;
      if (r >= 0 ? offset >= r : offset < 1 + r) continue;
      const h = heaps[of[si]!]!;
      h.push({ series: si, value: s.values[i]! });
      heapUp(h, h.length - 1, byValue);
    }
    for (const h of heaps) {
      for (const e of h) {
        const s = input[e.series]!;
        SeriesCollector.put(out.slot(s.labels, s.dropName), i, e.value, s.histograms?.[i]);
      }
    }
  }
  return out.series();
}
