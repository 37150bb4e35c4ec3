/**
 * One exported metric of a synchronous instrument: its descriptor, its aggregation and its series, and
 * how a reader collects it (cumulative or delta).
 */
import type { HrTime } from '@opentelemetry/api';
import type { Aggregator } from '../aggregations/aggregator.ts';
import type { HistogramAggregationDefault } from '../aggregations/resolve-aggregation.ts';
import { hrTimeToMillis } from '../model/hr-time.ts';
import {
  DataPointType,
  type Exemplar,
  type InstrumentKind,
  type MetricData,
  type MetricDescriptor,
  Temporality,
} from '../model/metric-data.ts';
import type { SeriesCell } from '../series/series-cell.ts';
import type { SeriesTable } from '../series/series-table.ts';
import { type LoopSlice, SERIES_PER_CLOCK_READ } from './loop-slice.ts';
import type { ReaderSlot } from './reader-slot.ts';

/** What every stream offers the collector. */
export interface CollectableStream {
  readonly descriptor: MetricDescriptor;
  readonly kind: InstrumentKind;
  /**
   * For a histogram stream made for the readers with one default histogram aggregation, that aggregation:
   * only those readers collect it. Undefined: every reader does.
   */
  readonly readerGroup: HistogramAggregationDefault | undefined;
  /** The stream's data for `reader`, or undefined when it has no point to report. */
  collect(
    reader: ReaderSlot,
    endTime: HrTime,
    nowMs: number,
    deltaSlots: number,
    collectionId: number,
    slice: LoopSlice,
  ): Promise<MetricData | undefined>;
}

/** A synchronous instrument's stream. */
export class SyncMetricStream<C extends SeriesCell, V, P> implements CollectableStream {
  readonly descriptor: MetricDescriptor;
  readonly kind: InstrumentKind;
  readonly readerGroup: HistogramAggregationDefault | undefined;
  readonly table: SeriesTable<C>;
  readonly #aggregator: Aggregator<C, V, P>;
  readonly #isMonotonic: boolean;
  /**
   * Each series' state per delta reader, created when the first delta reader exists. Kept here rather than
   * in the cell: measured (bench/recording-core.ts) every cell field is 8 bytes per series, and most
   * services have no delta reader.
   */
  #pending: Map<C, P[]> | undefined = undefined;

  constructor(
    descriptor: MetricDescriptor,
    kind: InstrumentKind,
    table: SeriesTable<C>,
    aggregator: Aggregator<C, V, P>,
    isMonotonic: boolean,
    readerGroup: HistogramAggregationDefault | undefined,
  ) {
    this.descriptor = descriptor;
    this.kind = kind;
    this.readerGroup = readerGroup;
    this.table = table;
    this.#aggregator = aggregator;
    this.#isMonotonic = isMonotonic;
  }

  async collect(
    reader: ReaderSlot,
    endTime: HrTime,
    nowMs: number,
    deltaSlots: number,
    _collectionId: number,
    slice: LoopSlice,
  ): Promise<MetricData | undefined> {
    const aggregator = this.#aggregator;
    const delta = reader.isDelta(this.kind);
    const exemplars = this.table.exemplars;
    const points: Array<{
      startTime: HrTime;
      endTime: HrTime;
      attributes: C['attributes'];
      value: V;
      exemplars?: Exemplar[];
    }> = [];
    const table = this.table;
    const admitted = table.admittedCells;
    // For speed: an index loop over the admitted cells, then the overflow cell. measured (CPU profile of a
    // 1k-series render after a cache-evicting sweep): iterating `table.cells()`, a generator, cost more
    // than the folding it drove.
    for (let i = 0; i <= admitted.length; i++) {
      const cell = i < admitted.length ? (admitted[i] as C) : table.overflowCell;
      if (cell === undefined) break;
      if ((i + 1) % SERIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
      const pending = this.#pendingOf(cell, deltaSlots);
      // Only series with measurements since the last fold have an interval to fold.
      if (cell.updates !== cell.foldedUpdates) {
        aggregator.fold(cell, pending);
        cell.foldedUpdates = cell.updates;
        cell.lastActiveSec = Math.floor(nowMs / 1000);
      }
      if (!delta) {
        const value = aggregator.cumulative(cell);
        if (value !== undefined) {
          const point = { startTime: cell.startTime, endTime, attributes: cell.attributes, value };
          // A cumulative point spans the series' whole life: every exemplar kept belongs to it.
          const kept = exemplars?.collect(cell, Number.NEGATIVE_INFINITY);
          points.push(kept === undefined ? point : { ...point, exemplars: kept });
        }
      } else {
        const value = aggregator.takeDelta(pending[reader.deltaSlot]!, cell);
        if (value !== undefined) {
          const startTime = reader.intervalStart(cell.startTime);
          const point = { startTime, endTime, attributes: cell.attributes, value };
          // Only exemplars recorded within the reader's interval belong to a delta point.
          const kept = exemplars?.collect(cell, hrTimeToMillis(startTime));
          points.push(kept === undefined ? point : { ...point, exemplars: kept });
        }
      }
    }
    for (const evicted of this.table.evictIdle(nowMs)) this.#pending?.delete(evicted);
    if (points.length === 0) return undefined;
    const temporality = delta ? Temporality.DELTA : Temporality.CUMULATIVE;
    const dataPointType = aggregator.dataPointType;
    if (dataPointType === DataPointType.SUM) {
      return {
        descriptor: this.descriptor,
        aggregationTemporality: temporality,
        dataPointType,
        dataPoints: points as never,
        isMonotonic: this.#isMonotonic,
      };
    }
    return {
      descriptor: this.descriptor,
      aggregationTemporality: temporality,
      dataPointType,
      dataPoints: points as never,
    } as MetricData;
  }

  /** The cell's pending state per delta reader (none without delta readers). */
  #pendingOf(cell: C, deltaSlots: number): P[] {
    if (deltaSlots === 0) return noPending as unknown as P[];
    this.#pending ??= new Map();
    let pending = this.#pending.get(cell);
    if (pending === undefined) {
      pending = [];
      this.#pending.set(cell, pending);
    }
    while (pending.length < deltaSlots) pending.push(this.#aggregator.emptyPending());
    return pending;
  }
}

const noPending: readonly never[] = [];
