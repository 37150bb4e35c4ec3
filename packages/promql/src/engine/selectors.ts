/**
 * Instant and range selection with Prometheus 3 semantics: an instant selector takes the newest sample
 * in the left-open lookback window `(t - lookback, t]` unless that sample is a staleness marker; a range
 * selector takes every non-stale sample in `(t - range, t]`. `offset` shifts the window back, `@` pins it
 * to a fixed time for every step.
 */

import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { AtModifier, VectorSelector } from '../parser/ast.ts';
import { isStaleNaN } from '../storage/queryable.ts';
import { checkDeadline, countSamples, type EvalContext, STEP_BLOCK } from './context.ts';
import { emptySeries, type StepSeries, setHistogram, type WindowSeries } from './step-values.ts';

/** The fixed time an `@` modifier pins evaluation to, or `undefined` without one. */
export function atTime(ctx: EvalContext, at: AtModifier | undefined): number | undefined {
  if (at === undefined) return undefined;
  switch (at.kind) {
    case 'timestamp':
      return at.ms;
    case 'start':
      return ctx.queryStart;
    case 'end':
      return ctx.queryEnd;
  }
}

/** The window end (reference time) of every step, for a selector with `offsetMs` and `@`. */
export function referenceTimes(ctx: EvalContext, at: number | undefined, offsetMs: number): Float64Array {
  const refs = new Float64Array(ctx.numSteps);
  for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
    const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
    checkDeadline(ctx.limits, to - from);
    for (let i = from; i < to; i++) {
      refs[i] = (at ?? ctx.start + i * ctx.interval) - offsetMs;
    }
  }
  return refs;
}

/**
 * Evaluates an instant selector at every step. With `sampleTimestamps`, the value at each step is the
 * timestamp of the selected sample in seconds (what `timestamp(selector)` returns) instead of its value.
 */
export function evalVectorSelector(
  ctx: EvalContext,
  selector: VectorSelector,
  refs: Float64Array,
  sampleTimestamps = false,
): StepSeries[] {
  const numSteps = ctx.numSteps;
  if (numSteps === 0) return [];
  const lookback = ctx.lookbackDelta;
  const out: StepSeries[] = [];
  // References never decrease across steps, so one select of the whole span serves every step.
  const minT = refs[0]! - lookback + 1;
  const maxT = refs[numSteps - 1]!;
  for (const raw of ctx.queryable.select(selector.matchers, minT, maxT)) {
    const { timestamps, values } = raw;
    // `timestamp(selector)` reads only the sample times, whatever their kind.
    const histograms = sampleTimestamps ? undefined : raw.histograms;
    const stats = ctx.histogramStats.has(selector);
    const n = timestamps.length;
    checkDeadline(ctx.limits, n);
    const series = emptySeries(raw.labels, false, numSteps);
    // One sample can be selected at many steps (up to lookback / step of them): the output, not the
    // samples read, is what is held, and it is counted series by series.
    let selected = 0;
    // `next` is the first sample after the current reference; it only moves forward (a merge walk,
    // O(samples + steps) per series instead of a search per step).
    let next = 0;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        const ref = refs[i]!;
        while (next < n && timestamps[next]! <= ref) next++;
        if (next === 0) continue;
        const t = timestamps[next - 1]!;
        if (t <= ref - lookback) continue;
        const v = values[next - 1]!;
        if (isStaleNaN(v)) continue;
        selected++;
        const h = histograms?.[next - 1];
        if (h !== undefined) {
          setHistogram(series, i, stats ? h : asRead(h));
          continue;
        }
        series.values[i] = sampleTimestamps ? t / 1000 : v;
        series.present[i] = 1;
      }
    }
    if (selected === 0) continue;
    countSamples(ctx.limits, selected);
    out.push(series);
  }
  return out;
}

/**
 * A stored histogram as PromQL reads it: a `counter-reset` hint reads as `unknown`, as Prometheus's TSDB
 * reads back the first histogram of the chunk a reset started (prometheus/prometheus#15346); the reset is
 * then detected again from the values. A changed hint goes on a copy: the store's object is shared.
 */
function asRead(h: FloatHistogram): FloatHistogram {
  if (h.counterResetHint !== 'counter-reset') return h;
  const copy = h.copy();
  copy.counterResetHint = 'unknown';
  return copy;
}

/**
 * Loads every series of a range selector over the windows ending at `refs`, with staleness markers
 * removed (Prometheus never hands them to range functions). The points loaded are counted as held.
 */
export function selectWindows(
  ctx: EvalContext,
  selector: VectorSelector,
  rangeMs: number,
  refs: Float64Array,
): WindowSeries[] {
  if (refs.length === 0) return [];
  const minT = refs[0]! - rangeMs + 1;
  const maxT = refs[refs.length - 1]!;
  const out: WindowSeries[] = [];
  for (const raw of ctx.queryable.select(selector.matchers, minT, maxT)) {
    const { timestamps, values } = raw;
    checkDeadline(ctx.limits, timestamps.length);
    let stale = 0;
    let first = 0;
    let end = timestamps.length;
    // A store may return samples outside the asked span; trim to it so windows stay small.
    while (first < end && timestamps[first]! < minT) first++;
    while (end > first && timestamps[end - 1]! > maxT) end--;
    for (let i = first; i < end; i++) {
      const v = values[i]!;
      if (isStaleNaN(v)) stale++;
    }
    if (end - first - stale <= 0) continue;
    countSamples(ctx.limits, end - first - stale);
    const rawHistograms = raw.histograms;
    // Read as statistics, the first histogram of a window has no previous one to detect a reset against.
    const stats = ctx.histogramStats.has(selector);
    const read = (h: FloatHistogram | undefined, i: number) =>
      h === undefined ? h : stats && i > first ? h : asRead(h);
    if (stale === 0) {
      const histograms = rawHistograms?.slice(first, end).map((h, i) => read(h, first + i));
      out.push({
        labels: raw.labels,
        dropName: false,
        timestamps: timestamps.subarray(first, end),
        values: values.subarray(first, end),
        histograms: histograms?.some((h) => h !== undefined) === true ? histograms : undefined,
      });
      continue;
    }
    const ts = new Float64Array(end - first - stale);
    const vs = new Float64Array(ts.length);
    const hs: (FloatHistogram | undefined)[] | undefined = rawHistograms === undefined ? undefined : [];
    let j = 0;
    for (let i = first; i < end; i++) {
      const v = values[i]!;
      if (isStaleNaN(v)) continue;
      ts[j] = timestamps[i]!;
      const h = rawHistograms?.[i];
      vs[j] = h === undefined ? v : 0;
      hs?.push(read(h, i));
      j++;
    }
    const histograms = hs?.some((h) => h !== undefined) === true ? hs : undefined;
    out.push({ labels: raw.labels, dropName: false, timestamps: ts, values: vs, histograms });
  }
  return out;
}

/** The points of step series as window series: each present step becomes a point at its step time. */
export function stepSeriesToWindows(ctx: EvalContext, series: readonly StepSeries[]): WindowSeries[] {
  const out: WindowSeries[] = [];
  for (const s of series) {
    let count = 0;
    for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
      const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        count += s.present[i]!;
      }
    }
    if (count === 0) continue;
    const timestamps = new Float64Array(count);
    const values = new Float64Array(count);
    const stepHistograms = s.histograms;
    const histograms: (FloatHistogram | undefined)[] | undefined =
      stepHistograms === undefined ? undefined : new Array(count).fill(undefined);
    let j = 0;
    for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
      const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0) continue;
        timestamps[j] = ctx.start + i * ctx.interval;
        values[j] = s.values[i]!;
        if (histograms !== undefined) histograms[j] = stepHistograms![i];
        j++;
      }
    }
    out.push({ labels: s.labels, dropName: s.dropName, timestamps, values, histograms });
  }
  return out;
}

/**
 * The start of a subquery's step grid: the first multiple of `step` (in absolute time) strictly after
 * `from`, so that results do not depend on when the query runs, exactly as Prometheus aligns them.
 */
export function alignSubqueryStart(from: number, step: number): number {
  let start = step * Math.trunc(from / step);
  if (start <= from) start += step;
  return start;
}
