/**
 * The last-value aggregation (synchronous gauges): the most recent measurement of each series.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { SimpleFixedSizeExemplarReservoir } from '../exemplars/exemplar-reservoir.ts';
import { DataPointType } from '../model/metric-data.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { Aggregator } from './aggregator.ts';

/** A gauge series: the last value recorded, and whether one arrived since the last collection. */
export class LastValueCell extends SeriesCell {
  value = 0;
  fresh = false;

  record(value: number): void {
    this.value = value;
    this.fresh = true;
  }
}

/** A delta reader's last value since its last collection. */
export interface LastValuePending {
  value: number;
  arrived: boolean;
}

/** The last-value aggregator. */
export const lastValueAggregator: Aggregator<LastValueCell, number, LastValuePending> = {
  dataPointType: DataPointType.GAUGE,
  create: (attributes: Attributes, startTime: HrTime, nowMs: number) =>
    new LastValueCell(attributes, startTime, nowMs),
  createReservoir: () => new SimpleFixedSizeExemplarReservoir(1),
  fold(cell, pending) {
    if (!cell.fresh) return;
    cell.fresh = false;
    for (const p of pending) {
      p.value = cell.value;
      p.arrived = true;
    }
  },
  emptyPending: () => ({ value: 0, arrived: false }),
  cumulative: (cell) => (cell.updates === 0 ? undefined : cell.value),
  takeDelta(pending) {
    if (!pending.arrived) return undefined;
    pending.arrived = false;
    return pending.value;
  },
};
