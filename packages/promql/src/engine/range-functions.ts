/**
 * Functions over range vectors (`rate`, `*_over_time`, `deriv`, ...), each a kernel over one window
 * of one series. The caller slides the window across steps; a kernel returns the value for the window
 * or `undefined` when Prometheus produces no sample.
 */
import { PromqlError } from '../errors.ts';
import { type KahanState, kahanInc, quantileOf } from './float-math.ts';

/**
 * One window: points `[lo, hi)` of `timestamps`/`values`, never empty. Reused across calls, so a
 * kernel must not keep it.
 */
export interface Window {
  timestamps: Float64Array;
  values: Float64Array;
  lo: number;
  hi: number;
  /** The evaluation step's own time (Prometheus's `enh.Ts`). */
  stepTime: number;
  /** The window end, step time minus offset (or the `@` time minus offset). */
  rangeEnd: number;
  rangeMs: number;
  /** Scalar arguments at this step, in argument order (excluding the range vector). */
  params: number[];
  /** Whether windows of several steps will be taken from these arrays (then per-series caches pay off). */
  manySteps: boolean;
  /**
   * Per-series cache of `resetsBefore`: entry i counts counter resets among points 1..i. The caller
   * clears it when it moves to the next series; `rate` and kin fill it on first use.
   */
  resetsBefore: Int32Array | undefined;
}

function countResets(w: Window): Int32Array {
  const vs = w.values;
  const prefix = new Int32Array(vs.length);
  for (let i = 1; i < vs.length; i++) prefix[i] = prefix[i - 1]! + (vs[i]! < vs[i - 1]! ? 1 : 0);
  w.resetsBefore = prefix;
  return prefix;
}

/** A range-vector function of one window. */
export type RangeKernel = (w: Window) => number | undefined;

const scratch: KahanState = { sum: 0, c: 0 };

function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const { timestamps: ts, values: vs, lo, hi } = w;
  const count = hi - lo;
  if (count < 2) return undefined;
  const rangeStart = w.rangeEnd - w.rangeMs;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  let result = vs[hi - 1]! - vs[lo]!;
  // Windows of consecutive steps overlap almost entirely; a per-series prefix count of resets tells in
  // O(1) whether this window has any, and the common reset-free window skips the scan. Windows with
  // resets still add them one by one, in Prometheus's order, so rounding is identical.
  const prefix = isCounter && w.manySteps ? (w.resetsBefore ?? countResets(w)) : undefined;
  if (isCounter && (prefix === undefined || prefix[hi - 1]! !== prefix[lo]!)) {
    for (let i = lo + 1; i < hi; i++) {
      const prev = vs[i - 1]!;
      if (vs[i]! < prev) result += prev;
    }
  }
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter) {
    // Counters cannot go negative: extrapolate at most to where the counter would have been zero.
    let durationToZero = durationToStart;
    const first = vs[lo]!;
    if (result > 0 && first >= 0) durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor = 1;
  if (sampledInterval !== 0) factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result * factor;
}

function instantValue(w: Window, isRate: boolean): number | undefined {
  const { timestamps: ts, values: vs, hi } = w;
  if (hi - w.lo < 2) return undefined;
  const t1 = ts[hi - 1]!;
  const t0 = ts[hi - 2]!;
  const sampledInterval = t1 - t0;
  if (sampledInterval === 0) return undefined;
  const v1 = vs[hi - 1]!;
  const v0 = vs[hi - 2]!;
  // A counter reset (v1 < v0) leaves the last value itself as the increase.
  let result = v1;
  if (!isRate || !(v1 < v0)) result = v1 - v0;
  if (isRate) result /= sampledInterval / 1000;
  return result;
}

function avgOverTime(w: Window): number {
  const { values: vs, lo, hi } = w;
  // Direct Kahan-compensated mean while the sum stays finite, then incremental mean, as Prometheus does.
  let sum = vs[lo]!;
  let c = 0;
  let count = 1;
  let mean = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const f = vs[i]!;
    count = i - lo + 1;
    if (!incremental) {
      scratch.sum = sum;
      scratch.c = c;
      kahanInc(scratch, f);
      if (scratch.sum !== Number.POSITIVE_INFINITY && scratch.sum !== Number.NEGATIVE_INFINITY) {
        sum = scratch.sum;
        c = scratch.c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    scratch.sum = q * mean;
    scratch.c = q * c;
    kahanInc(scratch, f / count);
    mean = scratch.sum;
    c = scratch.c;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

function sumOverTime(w: Window): number {
  scratch.sum = 0;
  scratch.c = 0;
  for (let i = w.lo; i < w.hi; i++) kahanInc(scratch, w.values[i]!);
  const sum = scratch.sum;
  if (sum === Number.POSITIVE_INFINITY || sum === Number.NEGATIVE_INFINITY) return sum;
  return sum + scratch.c;
}

/** Index of the extreme value, scanning as Prometheus's `compareOverTime` does. */
function extremeIndex(w: Window, better: (cur: number, best: number) => boolean): number {
  let best = w.values[w.lo]!;
  let index = w.lo;
  for (let i = w.lo; i < w.hi; i++) {
    const f = w.values[i]!;
    if (better(f, best)) {
      best = f;
      index = i;
    }
  }
  return index;
}

const greater = (cur: number, best: number): boolean => cur > best || Number.isNaN(best);
const less = (cur: number, best: number): boolean => cur < best || Number.isNaN(best);
const greaterOrEqual = (cur: number, best: number): boolean => cur >= best || Number.isNaN(best);
const lessOrEqual = (cur: number, best: number): boolean => cur <= best || Number.isNaN(best);

function variance(w: Window): number {
  const { values: vs, lo, hi } = w;
  let count = 0;
  const mean: KahanState = { sum: 0, c: 0 };
  const aux: KahanState = { sum: 0, c: 0 };
  for (let i = lo; i < hi; i++) {
    const f = vs[i]!;
    count++;
    const delta = f - (mean.sum + mean.c);
    kahanInc(mean, delta / count);
    kahanInc(aux, delta * (f - (mean.sum + mean.c)));
  }
  return (aux.sum + aux.c) / count;
}

function windowValues(w: Window): Float64Array {
  return w.values.slice(w.lo, w.hi);
}

function madOverTime(w: Window): number {
  const values = windowValues(w);
  for (const v of values) if (Number.isNaN(v)) return Number.NaN;
  const median = quantileOf(0.5, values);
  for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i]! - median);
  return quantileOf(0.5, values);
}

function changes(w: Window): number {
  let n = 0;
  for (let i = w.lo + 1; i < w.hi; i++) {
    const cur = w.values[i]!;
    const prev = w.values[i - 1]!;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
  }
  return n;
}

function resets(w: Window): number {
  let n = 0;
  for (let i = w.lo + 1; i < w.hi; i++) if (w.values[i]! < w.values[i - 1]!) n++;
  return n;
}

/** Least-squares slope and intercept at `interceptTime`, with Prometheus's compensated sums. */
function linearRegression(w: Window, interceptTime: number): [slope: number, intercept: number] {
  const { timestamps: ts, values: vs, lo, hi } = w;
  const initY = vs[lo]!;
  let constY = true;
  let n = 0;
  const x1: KahanState = { sum: 0, c: 0 };
  const y1: KahanState = { sum: 0, c: 0 };
  const xy: KahanState = { sum: 0, c: 0 };
  const x2: KahanState = { sum: 0, c: 0 };
  for (let i = lo; i < hi; i++) {
    const f = vs[i]!;
    if (constY && i > lo && f !== initY) constY = false;
    n += 1;
    const x = (ts[i]! - interceptTime) / 1e3;
    kahanInc(x1, x);
    kahanInc(y1, f);
    kahanInc(xy, x * f);
    kahanInc(x2, x * x);
  }
  if (constY) {
    if (initY === Number.POSITIVE_INFINITY || initY === Number.NEGATIVE_INFINITY)
      return [Number.NaN, Number.NaN];
    return [0, initY];
  }
  const sumX = x1.sum + x1.c;
  const sumY = y1.sum + y1.c;
  const sumXY = xy.sum + xy.c;
  const sumX2 = x2.sum + x2.c;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** Go's `%f` for the factors Prometheus reports: six decimals, and Go's spelling of the infinities. */
function goFixed(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return v.toFixed(6);
}

function doubleExponentialSmoothing(w: Window): number | undefined {
  const sf = w.params[0]!;
  const tf = w.params[1]!;
  if (sf <= 0 || sf >= 1) {
    throw new PromqlError(
      'PROMQL_EVAL',
      `invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFixed(sf)}`,
    );
  }
  if (tf <= 0 || tf >= 1) {
    throw new PromqlError('PROMQL_EVAL', `invalid trend factor. Expected: 0 < tf < 1, got: ${goFixed(tf)}`);
  }
  const { values: vs, lo, hi } = w;
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = vs[lo]!;
  let b = vs[lo + 1]! - vs[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const x = sf * vs[i]!;
    // The trend at the previous point; the first one is the raw first difference.
    if (i - 1 > lo) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

/** The kernels by function name. `absent_over_time` is handled by the caller. */
export const rangeKernels: ReadonlyMap<string, RangeKernel> = new Map<string, RangeKernel>([
  ['rate', (w) => extrapolatedRate(w, true, true)],
  ['increase', (w) => extrapolatedRate(w, true, false)],
  ['delta', (w) => extrapolatedRate(w, false, false)],
  ['irate', (w) => instantValue(w, true)],
  ['idelta', (w) => instantValue(w, false)],
  ['avg_over_time', avgOverTime],
  ['sum_over_time', sumOverTime],
  ['count_over_time', (w) => w.hi - w.lo],
  ['min_over_time', (w) => w.values[extremeIndex(w, less)]!],
  ['max_over_time', (w) => w.values[extremeIndex(w, greater)]!],
  ['ts_of_min_over_time', (w) => w.timestamps[extremeIndex(w, lessOrEqual)]! / 1000],
  ['ts_of_max_over_time', (w) => w.timestamps[extremeIndex(w, greaterOrEqual)]! / 1000],
  ['last_over_time', (w) => w.values[w.hi - 1]!],
  ['first_over_time', (w) => w.values[w.lo]!],
  ['ts_of_last_over_time', (w) => w.timestamps[w.hi - 1]! / 1000],
  ['ts_of_first_over_time', (w) => w.timestamps[w.lo]! / 1000],
  ['present_over_time', () => 1],
  ['quantile_over_time', (w) => quantileOf(w.params[0]!, windowValues(w))],
  ['stddev_over_time', (w) => Math.sqrt(variance(w))],
  ['stdvar_over_time', variance],
  ['mad_over_time', madOverTime],
  ['changes', changes],
  ['resets', resets],
  ['deriv', (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.timestamps[w.lo]!)[0])],
  [
    'predict_linear',
    (w) => {
      if (w.hi - w.lo < 2) return undefined;
      const [slope, intercept] = linearRegression(w, w.stepTime);
      return slope * w.params[0]! + intercept;
    },
  ],
  ['double_exponential_smoothing', doubleExponentialSmoothing],
]);
