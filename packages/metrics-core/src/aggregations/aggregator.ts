/**
 * How one kind of aggregation keeps and exports its series. Recording writes a cell's *interval* fields
 * (what arrived since the last collection); each collection folds the interval into the cell's cumulative
 * state and into the pending state of every delta reader, then clears it. Delta readers so get exactly what
 * arrived between their collections and cumulative readers the running total, with no subtraction (which
 * would lose float precision and cannot recover an interval's min and max).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ExemplarReservoir } from '../exemplars/exemplar-reservoir.ts';
import type { DataPointType } from '../model/metric-data.ts';
import type { SeriesCell } from '../series/series-cell.ts';

/** The per-kind logic a metric stream delegates to. `P` is a delta reader's pending state of one series. */
export interface Aggregator<C extends SeriesCell, V, P> {
  readonly dataPointType: DataPointType;
  /** A new series. */
  create(attributes: Attributes, startTime: HrTime, nowMs: number): C;
  /** The exemplar reservoir of a series, per the specification's defaults for the aggregation. */
  createReservoir(): ExemplarReservoir;
  /** Moves the cell's interval into its cumulative state and into each of `pending`, then clears it. */
  fold(cell: C, pending: readonly P[]): void;
  /** An empty pending state for a delta reader. */
  emptyPending(): P;
  /** The cumulative value to export, or undefined when the series has nothing to report yet. */
  cumulative(cell: C): V | undefined;
  /** The value a delta reader exports from its pending state (then cleared), or undefined if nothing arrived. */
  takeDelta(pending: P, cell: C): V | undefined;
}
