/**
 * Adding and subtracting data points of the same series: how the primary sums what its processes report
 * (counters, up-down counters, explicit and exponential histograms) and how it turns those cumulative sums
 * into deltas for a delta reader. Every operation returns new points and never changes its inputs, which
 * other readers may still hold.
 */
import type { HrTime } from '@opentelemetry/api';
import {
  type DataPoint,
  DataPointType,
  type ExponentialHistogramValue,
  type HistogramValue,
} from '@yardstick/metrics-core';
import { addExponential, subtractExponential } from './exponential-points.ts';

/** A point of any aggregation; its meaning comes from the metric's `dataPointType`. */
export type AnyPoint = DataPoint<number> | DataPoint<HistogramValue> | DataPoint<ExponentialHistogramValue>;

/** Whether `a` is earlier than `b`. */
export function isEarlier(a: HrTime, b: HrTime): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** Whether two times are the same instant. */
export function sameTime(a: HrTime, b: HrTime): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function sameBoundaries(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((boundary, i) => boundary === b[i]);
}

function extreme(
  a: HistogramValue,
  b: HistogramValue,
  key: 'min' | 'max',
  pick: (x: number, y: number) => number,
): { min?: number; max?: number } {
  // An empty side reports no extremes; a non-empty side without them (recordMinMax off) hides the result's.
  if (a.count === 0) return b[key] === undefined ? {} : { [key]: b[key] };
  if (b.count === 0) return a[key] === undefined ? {} : { [key]: a[key] };
  return a[key] === undefined || b[key] === undefined ? {} : { [key]: pick(a[key], b[key]) };
}

function addHistograms(a: HistogramValue, b: HistogramValue): HistogramValue | undefined {
  if (!sameBoundaries(a.buckets.boundaries, b.buckets.boundaries)) return undefined;
  return {
    buckets: {
      boundaries: a.buckets.boundaries,
      counts: a.buckets.counts.map((count, i) => count + (b.buckets.counts[i] ?? 0)),
    },
    ...(a.sum === undefined || b.sum === undefined ? {} : { sum: a.sum + b.sum }),
    count: a.count + b.count,
    ...extreme(a, b, 'min', Math.min),
    ...extreme(a, b, 'max', Math.max),
  };
}

function subtractHistograms(current: HistogramValue, previous: HistogramValue): HistogramValue | undefined {
  if (!sameBoundaries(current.buckets.boundaries, previous.buckets.boundaries)) return undefined;
  const counts = current.buckets.counts.map((count, i) => count - (previous.buckets.counts[i] ?? 0));
  const count = current.count - previous.count;
  if (count < 0 || counts.some((bucket) => bucket < 0)) return undefined;
  return {
    buckets: { boundaries: current.buckets.boundaries, counts },
    ...(current.sum === undefined || previous.sum === undefined ? {} : { sum: current.sum - previous.sum }),
    count,
  };
}

/**
 * `a + b` for two points of one series of a metric of `type` (a sum, a gauge summed by policy, or a
 * histogram), spanning both points' times with `a`'s attributes. Undefined when they cannot be added exactly:
 * explicit histograms with different bucket boundaries.
 */
export function addPoints(type: DataPointType, a: AnyPoint, b: AnyPoint): AnyPoint | undefined {
  let value: AnyPoint['value'] | undefined;
  if (type === DataPointType.HISTOGRAM) {
    value = addHistograms(a.value as HistogramValue, b.value as HistogramValue);
  } else if (type === DataPointType.EXPONENTIAL_HISTOGRAM) {
    value = addExponential(a.value as ExponentialHistogramValue, b.value as ExponentialHistogramValue);
  } else {
    value = (a.value as number) + (b.value as number);
  }
  if (value === undefined) return undefined;
  return {
    attributes: a.attributes,
    startTime: isEarlier(b.startTime, a.startTime) ? b.startTime : a.startTime,
    endTime: isEarlier(a.endTime, b.endTime) ? b.endTime : a.endTime,
    value,
  } as AnyPoint;
}

/**
 * `current - previous` for two cumulative points of one series, covering `(previous.endTime,
 * current.endTime]`. Undefined when `current` does not contain `previous` (for a monotonic sum or a
 * histogram: a value or a bucket went down, or the boundaries changed), which means the series restarted.
 */
export function subtractPoints(
  type: DataPointType,
  current: AnyPoint,
  previous: AnyPoint,
  monotonic: boolean,
): AnyPoint | undefined {
  let value: AnyPoint['value'] | undefined;
  if (type === DataPointType.HISTOGRAM) {
    value = subtractHistograms(current.value as HistogramValue, previous.value as HistogramValue);
  } else if (type === DataPointType.EXPONENTIAL_HISTOGRAM) {
    value = subtractExponential(
      current.value as ExponentialHistogramValue,
      previous.value as ExponentialHistogramValue,
    );
  } else {
    const difference = (current.value as number) - (previous.value as number);
    value = monotonic && difference < 0 ? undefined : difference;
  }
  if (value === undefined) return undefined;
  return {
    attributes: current.attributes,
    startTime: previous.endTime,
    endTime: current.endTime,
    value,
  } as AnyPoint;
}

/**
 * Whether `current` continues `previous` (the same cumulative series, grown or equal) rather than a series
 * that restarted since (a process's core forgot it, then saw it again): same start time, and neither a
 * monotonic sum nor a histogram's count lower than before. Checked for every series of every report, so
 * it compares counts only: a cumulative histogram's buckets cannot shrink while its count does not.
 */
export function continues(
  type: DataPointType,
  current: AnyPoint,
  previous: AnyPoint,
  monotonic: boolean,
): boolean {
  if (!sameTime(current.startTime, previous.startTime)) return false;
  if (type === DataPointType.SUM)
    return !monotonic || (current.value as number) >= (previous.value as number);
  if (type === DataPointType.GAUGE) return true;
  return (current.value as HistogramValue).count >= (previous.value as HistogramValue).count;
}

/** Whether a metric's points only ever grow while its processes live: monotonic sums and histograms. */
export function accumulates(type: DataPointType, monotonic: boolean | undefined): boolean {
  return (
    type === DataPointType.HISTOGRAM ||
    type === DataPointType.EXPONENTIAL_HISTOGRAM ||
    (type === DataPointType.SUM && monotonic === true)
  );
}
