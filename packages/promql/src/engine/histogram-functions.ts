/**
 * `histogram_quantile` and `histogram_fraction` over classic histograms (`_bucket` series with an
 * `le` label), with Prometheus's bucket coalescing, monotonicity fix and `+Inf` handling.
 */

import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { goQuote } from '../parser/go-strings.ts';
import type { Labels } from '../storage/queryable.ts';
import { checkDeadline, type EvalContext, LABELS_WORK } from './context.ts';
import { almostEqual } from './float-math.ts';
import { keyWithout, METRIC_NAME, omitLabels } from './labels.ts';
import { forMetricName } from './native-histogram-functions.ts';
import { emptySeries, type StepSeries } from './step-values.ts';

/** One classic-histogram bucket: an upper bound and the cumulative count up to it. */
export interface Bucket {
  upperBound: number;
  count: number;
}

const bucketLabel = 'le';
const leOnly = new Set([bucketLabel]);
const noLabels = new Set<string>();

/** Go's `strconv.ParseFloat` for the forms a bucket bound takes; `undefined` where Go fails. */
export function parseGoFloat(text: string): number | undefined {
  const lower = text.toLowerCase();
  switch (lower) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
  }
  if (
    !/^[+-]?(\d+(_?\d+)*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) &&
    !/^[+-]?0[xX][0-9a-fA-F.]+([pP][+-]?\d+)?$/.test(text)
  ) {
    return undefined;
  }
  const value = Number(text.replaceAll('_', ''));
  return Number.isNaN(value) ? undefined : value;
}

function sortAndCoalesce(buckets: Bucket[]): Bucket[] {
  buckets.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last !== undefined && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ upperBound: b.upperBound, count: b.count });
  }
  return out;
}

/** Makes cumulative counts monotonic; reports whether a real (not rounding) decrease was fixed. */
function ensureMonotonic(buckets: Bucket[]): boolean {
  let forced = false;
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, 1e-12)) {
      buckets[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  return forced;
}

/** Prometheus's `BucketQuantile`; `forced` tells whether the monotonicity fix was needed. */
export function bucketQuantile(q: number, input: Bucket[]): { value: number; forced: boolean } {
  if (Number.isNaN(q)) return { value: Number.NaN, forced: false };
  if (q < 0) return { value: Number.NEGATIVE_INFINITY, forced: false };
  if (q > 1) return { value: Number.POSITIVE_INFINITY, forced: false };
  input.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if (input[input.length - 1]!.upperBound !== Number.POSITIVE_INFINITY)
    return { value: Number.NaN, forced: false };
  const buckets = sortAndCoalesce(input);
  const forced = ensureMonotonic(buckets);
  if (buckets.length < 2) return { value: Number.NaN, forced };
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return { value: Number.NaN, forced };
  let rank = q * observations;
  // First bucket (excluding +Inf) whose count reaches the rank, by binary search as in Go's sort.Search.
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === buckets.length - 1) return { value: buckets[buckets.length - 2]!.upperBound, forced };
  if (b === 0 && buckets[0]!.upperBound <= 0) return { value: buckets[0]!.upperBound, forced };
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), forced };
}

/** Prometheus's `BucketFraction`: the estimated share of observations in `[lower, upper]`. */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  input.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if (input[input.length - 1]!.upperBound !== Number.POSITIVE_INFINITY) return Number.NaN;
  const buckets = sortAndCoalesce(input);
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let lowerBound = buckets[0]!.upperBound <= 0 ? Number.NEGATIVE_INFINITY : 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (i > 0) lowerBound = buckets[i - 1]!.upperBound;
    const upperBound = b.upperBound;
    const interpolate = (v: number): number =>
      lowerBound === Number.NEGATIVE_INFINITY
        ? b.count
        : rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/** What a histogram function computes from a native histogram sample. */
export type NativeCompute = (h: FloatHistogram, step: number, labels: Labels) => number;

/**
 * Groups bucket series by their labels without `le` and computes `compute(buckets, step)` per group
 * and step, and `native(h, step)` for each native histogram sample, as Prometheus's `resetHistograms`
 * splits a vector. Series with a malformed `le` are skipped with Prometheus's warning; a native histogram
 * with the labels of a classic group at the same step is a conflict: neither is evaluated, with a warning.
 */
export function evalBucketFunction(
  ctx: EvalContext,
  input: readonly StepSeries[],
  compute: (buckets: Bucket[], step: number, labels: Labels) => number,
  native: NativeCompute,
): StepSeries[] {
  const groups = new Map<string, { labels: Labels; members: { series: StepSeries; bound: number }[] }>();
  const natives = new Map<string, StepSeries>();
  for (const s of input) {
    checkDeadline(ctx.limits, LABELS_WORK);
    const histograms = s.histograms;
    if (histograms !== undefined) {
      natives.set(keyWithout(s.labels, noLabels), s);
      if (!hasFloatStep(s)) continue;
    }
    const le = s.labels[bucketLabel] ?? '';
    const bound = parseGoFloat(le);
    if (bound === undefined) {
      const name = s.labels[METRIC_NAME];
      const forName = name === undefined ? '' : ` for metric name ${goQuote(name)}`;
      ctx.annotations.warn(
        `bucket label "le" is missing or has a malformed value of ${goQuote(le)}${forName}`,
      );
      continue;
    }
    const key = keyWithout(s.labels, leOnly);
    let group = groups.get(key);
    if (group === undefined) {
      group = { labels: omitLabels(s.labels, leOnly), members: [] };
      groups.set(key, group);
    }
    group.members.push({ series: s, bound });
  }
  const out: StepSeries[] = [];
  // Steps at which a native histogram met classic buckets of the same labels, per native series.
  const conflicts = new Map<StepSeries, Uint8Array>();
  for (const [key, group] of groups) {
    const res = emptySeries(group.labels, true, ctx.numSteps);
    const rival = natives.get(key);
    let any = false;
    for (let i = 0; i < ctx.numSteps; i++) {
      checkDeadline(ctx.limits, group.members.length);
      const buckets: Bucket[] = [];
      for (const m of group.members) {
        if (m.series.present[i] === 1 && m.series.histograms?.[i] === undefined) {
          buckets.push({ upperBound: m.bound, count: m.series.values[i]! });
        }
      }
      if (buckets.length === 0) continue;
      const h = rival?.histograms?.[i];
      if (h !== undefined) {
        ctx.annotations.warn(
          `vector contains a mix of classic and native histograms${forMetricName(rival!.labels)}`,
        );
        let steps = conflicts.get(rival!);
        if (steps === undefined) {
          steps = new Uint8Array(ctx.numSteps);
          conflicts.set(rival!, steps);
        }
        steps[i] = 1;
        continue;
      }
      res.values[i] = compute(buckets, i, group.labels);
      res.present[i] = 1;
      any = true;
    }
    if (any) out.push(res);
  }
  const nativeOut: StepSeries[] = [];
  for (const series of natives.values()) {
    const blocked = conflicts.get(series);
    const histograms = series.histograms!;
    const res = emptySeries(series.labels, true, ctx.numSteps);
    let any = false;
    for (let i = 0; i < histograms.length; i++) {
      const h = histograms[i];
      if (h === undefined || blocked?.[i] === 1) continue;
      res.values[i] = native(h, i, series.labels);
      res.present[i] = 1;
      any = true;
    }
    checkDeadline(ctx.limits, histograms.length);
    if (any) nativeOut.push(res);
  }
  return [...nativeOut, ...out];
}

function hasFloatStep(s: StepSeries): boolean {
  for (let i = 0; i < s.present.length; i++)
    if (s.present[i] === 1 && s.histograms?.[i] === undefined) return true;
  return false;
}
