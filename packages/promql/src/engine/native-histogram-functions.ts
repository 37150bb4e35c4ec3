/**
 * The functions of native histograms: `histogram_count`, `_sum`, `_avg`, `_stddev`, `_stdvar`, and the native
 * side of `histogram_quantile` and `histogram_fraction` (Prometheus's `HistogramQuantile` and
 * `HistogramFraction` in promql/quantile.go): linear interpolation in custom and zero buckets, exponential
 * (log-scale) interpolation in exponential buckets, and the NaN-observation annotations.
 */
import { type Bucket, fractionBelow } from '../histogram/bucket.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { goQuote } from '../parser/go-strings.ts';
import type { Labels } from '../storage/queryable.ts';
import type { AnnotationSet } from './annotations.ts';
import { checkDeadline, type EvalLimits, STEP_BLOCK } from './context.ts';
import { type KahanState, kahanInc } from './float-math.ts';
import { METRIC_NAME } from './labels.ts';
import { emptySeries, type StepSeries } from './step-values.ts';

/** ` for metric name "x"` when the name is known, as Prometheus's `maybeAddMetricName` appends it. */
export function forMetricName(labels: Labels): string {
  const name = labels[METRIC_NAME];
  return name === undefined || name === '' ? '' : ` for metric name ${goQuote(name)}`;
}

/**
 * Applies `fn` to the histogram samples of each series (float samples are skipped, as Prometheus's
 * `simpleHistogramFunc` does); the results drop the metric name.
 */
export function mapHistograms(
  limits: EvalLimits,
  input: readonly StepSeries[],
  fn: (h: FloatHistogram, step: number, labels: Labels) => number,
): StepSeries[] {
  const out: StepSeries[] = [];
  for (const s of input) {
    const histograms = s.histograms;
    if (histograms === undefined) continue;
    const res = emptySeries(s.labels, true, s.values.length);
    let any = false;
    for (let from = 0; from < histograms.length; from += STEP_BLOCK) {
      const to = Math.min(histograms.length, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        const h = histograms[i];
        if (h === undefined) continue;
        res.values[i] = fn(h, i, s.labels);
        res.present[i] = 1;
        any = true;
      }
    }
    if (any) out.push(res);
  }
  return out;
}

/** `histogram_stdvar`: bucket midpoints (geometric in exponential buckets, 0 in the zero bucket) around the mean. */
export function histogramVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  const variance: KahanState = { sum: 0, c: 0 };
  const custom = h.usesCustomBuckets();
  for (const b of h.allBucketIterator()) {
    if (b.count === 0) continue;
    let value: number;
    if (custom) value = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) value = 0;
    else {
      value = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) value = -value;
    }
    const delta = value - mean;
    kahanInc(variance, b.count * delta * delta);
  }
  return (variance.sum + variance.c) / h.count;
}

/** The zero bucket of a histogram with buckets on one side only ends at 0 on the other side. */
function clipZeroBucket(h: FloatHistogram, b: Bucket): Bucket {
  if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) return { ...b, lower: 0 };
  if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) return { ...b, upper: 0 };
  return b;
}

/** Prometheus's `HistogramQuantile` of a native histogram. */
export function nativeHistogramQuantile(
  q: number,
  h: FloatHistogram,
  labels: Labels,
  annotations: AnnotationSet,
): number {
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (h.count === 0 || Number.isNaN(q)) return Number.NaN;
  // NaN observations (the sum is then NaN) count in `count` but in no bucket: only the forward walk is right.
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const it = forward ? h.allBucketIterator() : h.allReverseBucketIterator();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let bucket: Bucket | undefined;
  let count = 0;
  for (let next = it.next(); !next.done; next = it.next()) {
    bucket = next.value;
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  bucket ??= { lower: 0, upper: 0, lowerInclusive: false, upperInclusive: false, count: 0, index: 0 };
  const custom = h.usesCustomBuckets();
  if (!custom && bucket.lower < 0 && bucket.upper > 0) {
    bucket = clipZeroBucket(h, bucket);
  } else if (custom) {
    if (bucket.lower === Number.NEGATIVE_INFINITY) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket = { ...bucket, lower: 0 };
    } else if (bucket.upper === Number.POSITIVE_INFINITY) {
      return bucket.lower;
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (Number.isNaN(h.sum)) {
      annotations.info(
        `input to histogram_quantile has NaN observations, result is NaN${forMetricName(labels)}`,
      );
      return Number.NaN;
    }
    return bucket.upper;
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  if (Number.isNaN(h.sum)) {
    for (let next = it.next(); !next.done; next = it.next()) count += next.value.count;
    if (count < h.count) {
      annotations.info(
        `input to histogram_quantile has NaN observations, result is skewed higher${forMetricName(labels)}`,
      );
    }
  }
  const fraction = rank / bucket.count;
  if (custom || (bucket.lower <= 0 && bucket.upper >= 0)) {
    return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  }
  // Exponential buckets are equally wide on a log scale: interpolate there.
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

/** Prometheus's `HistogramFraction` of a native histogram: the estimated share of observations in `[lower, upper]`. */
export function nativeHistogramFraction(
  lower: number,
  upper: number,
  h: FloatHistogram,
  labels: Labels,
  annotations: AnnotationSet,
): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  const custom = h.usesCustomBuckets();
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  const it = h.allBucketIterator();
  for (let next = it.next(); !next.done; next = it.next()) {
    let b = next.value;
    count += b.count;
    let zeroBucket = false;
    if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      b = clipZeroBucket(h, b);
    }
    const bucket = b;
    // Custom and zero buckets interpolate linearly (an infinite bound contributes nothing), exponential
    // buckets on a log scale.
    const interpolate = (v: number): number => {
      if (custom || zeroBucket) {
        if (bucket.lower === Number.NEGATIVE_INFINITY) return bucket.count;
        return rank + bucket.count * fractionBelow(bucket, v, true);
      }
      return rank + bucket.count * fractionBelow(bucket, v, false);
    };
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (Number.isNaN(h.sum)) {
    for (let next = it.next(); !next.done; next = it.next()) count += next.value.count;
    if (count < h.count) {
      annotations.info(
        `input to histogram_fraction has NaN observations, which are excluded from all fractions${forMetricName(labels)}`,
      );
    }
  } else {
    count = h.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / h.count;
}
