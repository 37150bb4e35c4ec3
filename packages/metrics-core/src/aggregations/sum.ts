/**
 * The sum aggregation (counters and up-down counters): one number per series.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SimpleFixedSizeExemplarReservoir } from '../exemplars/exemplar-reservoir.ts';
import { DataPointType } from '../model/metric-data.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { Aggregator } from './aggregator.ts';

/** A sum series: `interval` is what was added since the last collection, `total` the cumulative sum. */
export class SumCell extends SeriesCell {
  interval = 0;
  total = 0;

  record(value: number): void {
    this.interval += value;
  }
}

/** A delta reader's sum since its last collection. */
export interface SumPending {
  value: number;
  arrived: boolean;
}

/** The sum aggregator. */
export const sumAggregator: Aggregator<SumCell, number, SumPending> = {
  dataPointType: DataPointType.SUM,
  create: (attributes: Attributes, startTime: HrTime, nowMs: number) =>
    new SumCell(attributes, startTime, nowMs),
  createReservoir: () => new SimpleFixedSizeExemplarReservoir(1),
  fold(cell, pending) {
    const interval = cell.interval;
    cell.total += interval;
    cell.interval = 0;
    for (const p of pending) {
      p.value += interval;
      p.arrived = true;
    }
  },
  emptyPending: () => ({ value: 0, arrived: false }),
  cumulative: (cell) => cell.total,
  takeDelta(pending) {
    if (!pending.arrived) return undefined;
    const value = pending.value;
    pending.value = 0;
    pending.arrived = false;
    return value;
  },
};
