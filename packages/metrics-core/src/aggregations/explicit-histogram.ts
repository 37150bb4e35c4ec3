/**
 * The explicit-bucket histogram aggregation: counts per bucket `(boundaries[i-1], boundaries[i]]`, plus
 * count, sum, min and max, as the OTel SDK specification defines it.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AlignedHistogramBucketExemplarReservoir,
  SimpleFixedSizeExemplarReservoir,
} from '../exemplars/exemplar-reservoir.ts';
import { DataPointType, type HistogramValue } from '../model/metric-data.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { Aggregator } from './aggregator.ts';

/** The default boundaries of the OTel SDK specification. */
export const DEFAULT_HISTOGRAM_BOUNDARIES: readonly number[] = Object.freeze([
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
]);

/** A histogram series: the interval's counts (written by `record`) and the cumulative state. */
export class HistogramCell extends SeriesCell {
  readonly boundaries: Float64Array;
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Cumulative state, allocated by the first collection that folds a measurement. */
  totalCounts: Float64Array | undefined = undefined;
  totalSum = 0;
  totalCount = 0;
  totalMin = Number.POSITIVE_INFINITY;
  totalMax = Number.NEGATIVE_INFINITY;

  constructor(attributes: Attributes, startTime: HrTime, nowMs: number, boundaries: Float64Array) {
    super(attributes, startTime, nowMs);
    this.boundaries = boundaries;
    this.counts = new Float64Array(boundaries.length + 1);
  }

  /** Counts `value` (finite, checked by the caller). */
  record(value: number): void {
    const boundaries = this.boundaries;
    const n = boundaries.length;
    // Measured: for the usual 10-16 boundaries a forward scan beats a binary search (fewer mispredicted
    // branches on clustered latencies); past 32 the binary search wins.
    let i = 0;
    if (n <= 32) {
      while (i < n && value > boundaries[i]!) i++;
    } else {
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (value > boundaries[mid]!) i = mid + 1;
        else hi = mid;
      }
    }
    this.counts[i]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

/** A delta reader's histogram since its last collection. */
export interface HistogramPending {
  counts: Float64Array | undefined;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** Options of {@link createHistogramAggregator}. */
export interface HistogramAggregationOptions {
  readonly boundaries?: readonly number[] | undefined;
  readonly recordMinMax?: boolean | undefined;
  /** Sum is left out for instruments whose values may be negative (OTel SDK behaviour). */
  readonly exportSum: boolean;
}

/** Checks boundaries: finite, strictly ascending. Returns the problem, or undefined. */
export function checkBoundaries(boundaries: readonly number[]): string | undefined {
  for (let i = 0; i < boundaries.length; i++) {
    const b = boundaries[i]!;
    if (!Number.isFinite(b)) return `boundary ${i} is not a finite number`;
    if (i > 0 && !(b > boundaries[i - 1]!))
      return `boundaries must be strictly ascending (${boundaries[i - 1]} then ${b})`;
  }
  return undefined;
}

/** A histogram aggregator with fixed boundaries. */
export function createHistogramAggregator(
  options: HistogramAggregationOptions,
): Aggregator<HistogramCell, HistogramValue, HistogramPending> {
  const boundaries = Float64Array.from(options.boundaries ?? DEFAULT_HISTOGRAM_BOUNDARIES);
  const boundaryList = Array.from(boundaries);
  const recordMinMax = options.recordMinMax ?? true;
  const bucketCount = boundaries.length + 1;
  const value = (counts: Float64Array | undefined, count: number, sum: number, min: number, max: number) => {
    // measured (CPU profile of a 1k-series render, 10 counters : 1 histogram): `Array.from` of the
    // Float64Array, which goes through the iterator protocol, was 7% of the whole render for 91 histogram
    // series; an index loop into a preallocated array is a plain copy.
    const exported = new Array<number>(bucketCount);
    if (counts === undefined) exported.fill(0);
    else for (let i = 0; i < bucketCount; i++) exported[i] = counts[i]!;
    const v: HistogramValue = { buckets: { boundaries: boundaryList, counts: exported }, count };
    if (options.exportSum) v.sum = sum;
    if (recordMinMax && count > 0) {
      v.min = min;
      v.max = max;
    }
    return v;
  };
  return {
    dataPointType: DataPointType.HISTOGRAM,
    create: (attributes, startTime, nowMs) => new HistogramCell(attributes, startTime, nowMs, boundaries),
    // The specification's default: bucket-aligned when there is more than one bucket.
    createReservoir: () =>
      boundaries.length === 0
        ? new SimpleFixedSizeExemplarReservoir(1)
        : new AlignedHistogramBucketExemplarReservoir(boundaries),
    fold(cell, pending) {
      if (cell.count === 0) return;
      const counts = cell.counts;
      cell.totalCounts ??= new Float64Array(counts.length);
      addInto(cell.totalCounts, counts);
      cell.totalSum += cell.sum;
      cell.totalCount += cell.count;
      if (cell.min < cell.totalMin) cell.totalMin = cell.min;
      if (cell.max > cell.totalMax) cell.totalMax = cell.max;
      for (const p of pending) {
        p.counts ??= new Float64Array(counts.length);
        addInto(p.counts, counts);
        p.sum += cell.sum;
        p.count += cell.count;
        if (cell.min < p.min) p.min = cell.min;
        if (cell.max > p.max) p.max = cell.max;
      }
      counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
      cell.min = Number.POSITIVE_INFINITY;
      cell.max = Number.NEGATIVE_INFINITY;
    },
    emptyPending: () => ({
      counts: undefined,
      sum: 0,
      count: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
    }),
    cumulative: (cell) =>
      value(cell.totalCounts, cell.totalCount, cell.totalSum, cell.totalMin, cell.totalMax),
    takeDelta(pending) {
      if (pending.count === 0) return undefined;
      const v = value(pending.counts, pending.count, pending.sum, pending.min, pending.max);
      pending.counts?.fill(0);
      pending.sum = 0;
      pending.count = 0;
      pending.min = Number.POSITIVE_INFINITY;
      pending.max = Number.NEGATIVE_INFINITY;
      return v;
    },
  };
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < source.length; i++) target[i]! += source[i]!;
}
