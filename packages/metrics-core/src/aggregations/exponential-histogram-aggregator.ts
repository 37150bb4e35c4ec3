/**
 * The base-2 exponential histogram aggregation: each series records into an {@link ExponentialHistogramCell}
 * for the interval; collection merges the interval (exactly) into the cumulative cell and into every delta
 * reader's pending cell.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SimpleFixedSizeExemplarReservoir } from '../exemplars/exemplar-reservoir.ts';
import { DataPointType, type ExponentialHistogramValue } from '../model/metric-data.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { Aggregator } from './aggregator.ts';
import {
  DEFAULT_EXPONENTIAL_MAX_SIZE,
  ExponentialHistogramCell,
  type ExponentialHistogramOptions,
} from './exponential-histogram.ts';

/** An exponential histogram series. */
export class ExponentialHistogramSeries extends SeriesCell {
  readonly interval: ExponentialHistogramCell;
  total: ExponentialHistogramCell | undefined = undefined;

  constructor(
    attributes: Attributes,
    startTime: HrTime,
    nowMs: number,
    options: ExponentialHistogramOptions,
  ) {
    super(attributes, startTime, nowMs);
    this.interval = new ExponentialHistogramCell(options);
  }

  record(value: number): void {
    this.interval.record(value);
  }
}

/** Options of {@link createExponentialHistogramAggregator}; unset fields take the specification's defaults. */
export interface ExponentialAggregationOptions {
  readonly maxSize?: number | undefined;
  readonly maxScale?: number | undefined;
  readonly recordMinMax?: boolean | undefined;
  /** Sum is left out for instruments whose values may be negative (OTel SDK behaviour); default true. */
  readonly exportSum?: boolean | undefined;
}

function toValue(cell: ExponentialHistogramCell, exportSum: boolean): ExponentialHistogramValue {
  const snapshot = cell.snapshot();
  const value: ExponentialHistogramValue = {
    count: snapshot.count,
    scale: snapshot.scale,
    zeroCount: snapshot.zeroCount,
    positive: { offset: snapshot.positive.offset, bucketCounts: snapshot.positive.bucketCounts },
    negative: { offset: snapshot.negative.offset, bucketCounts: snapshot.negative.bucketCounts },
  };
  if (exportSum) value.sum = snapshot.sum;
  if (snapshot.min !== undefined) value.min = snapshot.min;
  if (snapshot.max !== undefined) value.max = snapshot.max;
  return value;
}

/** An exponential histogram aggregator. */
export function createExponentialHistogramAggregator(
  options: ExponentialAggregationOptions,
): Aggregator<ExponentialHistogramSeries, ExponentialHistogramValue, ExponentialHistogramCell> {
  const exportSum = options.exportSum ?? true;
  const cellOptions: ExponentialHistogramOptions = {
    ...(options.maxSize === undefined ? {} : { maxSize: options.maxSize }),
    ...(options.maxScale === undefined ? {} : { maxScale: options.maxScale }),
    ...(options.recordMinMax === undefined ? {} : { recordMinMax: options.recordMinMax }),
  };
  return {
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    create: (attributes, startTime, nowMs) =>
      new ExponentialHistogramSeries(attributes, startTime, nowMs, cellOptions),
    // The specification's default for base-2 exponential histograms: min(20, max_buckets) exemplars.
    createReservoir: () =>
      new SimpleFixedSizeExemplarReservoir(Math.min(20, options.maxSize ?? DEFAULT_EXPONENTIAL_MAX_SIZE)),
    fold(series, pending) {
      const interval = series.interval;
      if (interval.count === 0) return;
      series.total ??= new ExponentialHistogramCell(cellOptions);
      series.total.merge(interval);
      for (const p of pending) p.merge(interval);
      interval.reset();
    },
    emptyPending: () => new ExponentialHistogramCell(cellOptions),
    cumulative: (series) => (series.total === undefined ? undefined : toValue(series.total, exportSum)),
    takeDelta(pending) {
      if (pending.count === 0) return undefined;
      const value = toValue(pending, exportSum);
      pending.reset();
      return value;
    },
  };
}
