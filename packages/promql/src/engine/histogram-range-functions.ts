/**
 * Range functions over windows that hold native histogram samples, as Prometheus 3 evaluates them:
 * `rate`/`increase`/`delta` with counter-reset detection and extrapolation, `irate`/`idelta`,
 * `sum_over_time`/`avg_over_time`, `changes`/`resets`, and the float functions, which skip the histograms
 * of a window (with an info when the window also holds floats) and give nothing for a window of
 * histograms only. A window that mixes floats and histograms gives nothing where the two cannot combine,
 * with a warning.
 */
import { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../storage/queryable.ts';
import type { AnnotationSet } from './annotations.ts';
import { HistogramMean, HistogramSum } from './histogram-accumulators.ts';
import {
  annotateAccumulation,
  infoHistogramIgnoredInMixedRange,
  infoMismatchedCustomBuckets,
  warnMixedExponentialCustom,
  warnMixedFloatsHistograms,
  warnNotCounter,
  warnNotGauge,
} from './histogram-annotations.ts';
import type { RangeKernel, Window } from './range-functions.ts';

/** The histograms of a series, one entry per point (`undefined` at a float point). */
type PointHistograms = readonly (FloatHistogram | undefined)[];

/** Where a window's result goes: annotations, and the series' labels for their text. */
interface HistogramWindowContext {
  readonly annotations: AnnotationSet;
  readonly labels: Labels;
}

/** Float functions that need two floats, and say so when one float came with histograms. */
const needTwoFloats = new Set(['deriv', 'predict_linear', 'double_exponential_smoothing']);

/**
 * The value of range function `name` over window `w` of a series that has histogram samples; `kernel` is
 * the function's float kernel. Functions that only read times or pass a sample on are not handled here.
 */
export function histogramWindowValue(
  name: string,
  w: Window,
  histograms: PointHistograms,
  kernel: RangeKernel,
  ctx: HistogramWindowContext,
): number | FloatHistogram | undefined {
  let floats = 0;
  for (let i = w.lo; i < w.hi; i++) if (histograms[i] === undefined) floats++;
  const count = w.hi - w.lo;
  if (floats === count) return kernel(w);
  switch (name) {
    case 'rate':
    case 'increase':
    case 'delta':
      if (floats > 0) return mixed(ctx);
      return extrapolatedHistogramRate(w, histograms, name !== 'delta', name === 'rate', ctx);
    case 'irate':
    case 'idelta':
      return instantValue(w, histograms, name === 'irate', kernel, ctx);
    case 'sum_over_time':
    case 'avg_over_time': {
      if (floats > 0) return mixed(ctx);
      const first = histograms[w.lo]!;
      const acc = name === 'sum_over_time' ? new HistogramSum(first) : new HistogramMean(first);
      for (let i = w.lo + 1; i < w.hi; i++) acc.add(histograms[i]!);
      annotateAccumulation(ctx.annotations, acc, ctx.labels);
      return acc.result();
    }
    case 'changes':
      return countTransitions(
        w,
        histograms,
        (cur, prev) => !cur.equals(prev),
        (cur, prev) => cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev)),
      );
    case 'resets':
      return countTransitions(
        w,
        histograms,
        (cur, prev) => cur.detectReset(prev),
        (cur, prev) => cur < prev,
      );
    default:
      return floatsOnly(name, w, histograms, floats, kernel, ctx);
  }
}

function mixed(ctx: HistogramWindowContext): undefined {
  warnMixedFloatsHistograms(ctx.annotations, ctx.labels);
  return undefined;
}

/** A float function over the floats of a window, skipping its histograms. */
function floatsOnly(
  name: string,
  w: Window,
  histograms: PointHistograms,
  floats: number,
  kernel: RangeKernel,
  ctx: HistogramWindowContext,
): number | undefined {
  if (needTwoFloats.has(name) && floats < 2) {
    if (floats === 1) infoHistogramIgnoredInMixedRange(ctx.annotations, ctx.labels);
    return undefined;
  }
  if (floats === 0) return undefined;
  infoHistogramIgnoredInMixedRange(ctx.annotations, ctx.labels);
  const timestamps = new Float64Array(floats);
  const values = new Float64Array(floats);
  let n = 0;
  for (let i = w.lo; i < w.hi; i++) {
    if (histograms[i] !== undefined) continue;
    timestamps[n] = w.timestamps[i]!;
    values[n] = w.values[i]!;
    n++;
  }
  return kernel({ ...w, timestamps, values, lo: 0, hi: n, manySteps: false, resetsBefore: undefined });
}

/** `changes` and `resets`: a float next to a histogram always counts, like kinds compare with `differ`. */
function countTransitions(
  w: Window,
  histograms: PointHistograms,
  histogramsDiffer: (cur: FloatHistogram, prev: FloatHistogram) => boolean,
  floatsDiffer: (cur: number, prev: number) => boolean,
): number {
  let n = 0;
  for (let i = w.lo + 1; i < w.hi; i++) {
    const cur = histograms[i];
    const prev = histograms[i - 1];
    if (cur === undefined && prev === undefined) {
      if (floatsDiffer(w.values[i]!, w.values[i - 1]!)) n++;
    } else if (cur === undefined || prev === undefined) n++;
    else if (histogramsDiffer(cur, prev)) n++;
  }
  return n;
}

/** `irate` and `idelta` from the last two points of the window. */
function instantValue(
  w: Window,
  histograms: PointHistograms,
  isRate: boolean,
  kernel: RangeKernel,
  ctx: HistogramWindowContext,
): number | FloatHistogram | undefined {
  const { hi } = w;
  if (hi - w.lo < 2) return undefined;
  const h1 = histograms[hi - 1];
  const h0 = histograms[hi - 2];
  if (h1 === undefined && h0 === undefined) return kernel(w);
  const interval = w.timestamps[hi - 1]! - w.timestamps[hi - 2]!;
  if (interval === 0) return undefined;
  if (h1 === undefined || h0 === undefined) return mixed(ctx);
  const result = h1.copy();
  if (isRate && (h1.counterResetHint === 'gauge' || h0.counterResetHint === 'gauge')) {
    warnNotCounter(ctx.annotations, ctx.labels);
  }
  if (!isRate && (h1.counterResetHint !== 'gauge' || h0.counterResetHint !== 'gauge')) {
    warnNotGauge(ctx.annotations, ctx.labels);
  }
  if (!isRate || !h1.detectReset(h0)) {
    const r = result.sub(h0);
    if (!r.ok) {
      warnMixedExponentialCustom(ctx.annotations, ctx.labels);
      return undefined;
    }
    if (r.nhcbBoundsReconciled) infoMismatchedCustomBuckets(ctx.annotations, 'subtraction');
  }
  result.counterResetHint = 'gauge';
  result.compact(0);
  if (isRate) result.div(interval / 1000);
  return result;
}

/**
 * The increase (or, for a gauge, the difference) between the first and the last histogram of a window of
 * histograms only (Prometheus's `histogramRate`): reset-corrected for counters, in the lowest schema seen.
 */
function histogramIncrease(
  histograms: PointHistograms,
  lo: number,
  hi: number,
  isCounter: boolean,
  ctx: HistogramWindowContext,
): FloatHistogram | undefined {
  let prev = histograms[lo]!;
  const last = histograms[hi - 1]!;
  let usingCustomBuckets = prev.usesCustomBuckets();
  if (isCounter && (prev.counterResetHint === 'gauge' || last.counterResetHint === 'gauge')) {
    warnNotCounter(ctx.annotations, ctx.labels);
  }
  if (isCounter) {
    // A reset between the first two points: the first one's layout does not matter, it is not needed.
    const second = histograms[lo + 1]!;
    if (second.detectReset(prev)) {
      prev = new FloatHistogram({ schema: second.schema, customValues: second.customValues });
      usingCustomBuckets = second.usesCustomBuckets();
    }
  }
  if (last.usesCustomBuckets() !== usingCustomBuckets) {
    warnMixedExponentialCustom(ctx.annotations, ctx.labels);
    return undefined;
  }
  let minSchema = Math.min(last.schema, prev.schema);
  if (isCounter) {
    for (let i = lo + 1; i < hi - 1; i++) {
      const h = histograms[i]!;
      if (h.counterResetHint === 'gauge') warnNotCounter(ctx.annotations, ctx.labels);
      if (h.schema < minSchema) minSchema = h.schema;
      if (h.usesCustomBuckets() !== usingCustomBuckets) {
        warnMixedExponentialCustom(ctx.annotations, ctx.labels);
        return undefined;
      }
    }
  }
  const result = last.copyToSchema(minSchema);
  const r = result.sub(prev);
  if (!r.ok) {
    warnMixedExponentialCustom(ctx.annotations, ctx.labels);
    return undefined;
  }
  if (r.nhcbBoundsReconciled) infoMismatchedCustomBuckets(ctx.annotations, 'subtraction');
  if (isCounter) {
    for (let i = lo + 1; i < hi; i++) {
      const h = histograms[i]!;
      if (h.detectReset(prev)) {
        const added = result.add(prev);
        if (!added.ok) {
          warnMixedExponentialCustom(ctx.annotations, ctx.labels);
          return undefined;
        }
        if (added.nhcbBoundsReconciled) infoMismatchedCustomBuckets(ctx.annotations, 'addition');
      }
      prev = h;
    }
  } else if (histograms[lo]!.counterResetHint !== 'gauge' || last.counterResetHint !== 'gauge') {
    warnNotGauge(ctx.annotations, ctx.labels);
  }
  result.counterResetHint = 'gauge';
  return result.compact(0);
}

/** `rate`, `increase` and `delta` of a window of histograms, extrapolated as for floats. */
function extrapolatedHistogramRate(
  w: Window,
  histograms: PointHistograms,
  isCounter: boolean,
  isRate: boolean,
  ctx: HistogramWindowContext,
): FloatHistogram | undefined {
  const { timestamps: ts, lo, hi } = w;
  const count = hi - lo;
  if (count < 2) return undefined;
  const result = histogramIncrease(histograms, lo, hi, isCounter, ctx);
  if (result === undefined) return undefined;
  const rangeStart = w.rangeEnd - w.rangeMs;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= extrapolationThreshold) durationToStart = averageDurationBetweenSamples / 2;
  if (isCounter) {
    // Counters cannot go negative: extrapolate at most to where the count would have been zero.
    let durationToZero = durationToStart;
    const first = histograms[lo]!;
    if (result.count > 0 && first.count >= 0) durationToZero = sampledInterval * (first.count / result.count);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageDurationBetweenSamples / 2;
  let factor = 1;
  if (sampledInterval !== 0) factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result.mul(factor);
}
