/**
 * One exported metric of an observable instrument. Callbacks report absolute values at each collection:
 * sums are cumulative by nature (a delta reader gets the change since it last read), gauges are the value
 * observed. Only series observed in the current collection are exported, as the OTel SDK does.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  DataPointType,
  type InstrumentKind,
  type MetricData,
  type MetricDescriptor,
  Temporality,
} from '../model/metric-data.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { SeriesTable } from '../series/series-table.ts';
import { type LoopSlice, SERIES_PER_CLOCK_READ } from './loop-slice.ts';
import type { CollectableStream } from './metric-stream.ts';
import type { ReaderSlot } from './reader-slot.ts';

/** An observed series: its value in the collection `observedIn`. */
export class ObservedCell extends SeriesCell {
  value = 0;
  observedIn = -1;
}

/** A delta reader's last reported absolute value of a series. */
interface LastReported {
  value: number | undefined;
}

/** An observable instrument's stream. */
export class ObservableMetricStream implements CollectableStream {
  readonly descriptor: MetricDescriptor;
  readonly kind: InstrumentKind;
  /** Observable instruments are never histograms: every reader collects them. */
  readonly readerGroup = undefined;
  readonly table: SeriesTable<ObservedCell>;
  readonly #isSum: boolean;
  /** Each series' last reported value per delta reader (created when the first delta reader exists). */
  #reported: Map<ObservedCell, LastReported[]> | undefined = undefined;
  readonly #isMonotonic: boolean;

  constructor(descriptor: MetricDescriptor, kind: InstrumentKind, table: SeriesTable<ObservedCell>) {
    this.descriptor = descriptor;
    this.kind = kind;
    this.table = table;
    this.#isSum = kind !== 'OBSERVABLE_GAUGE';
    this.#isMonotonic = kind === 'OBSERVABLE_COUNTER';
  }

  /** Records one observation of collection `collectionId`. */
  observe(value: number, attributes: Attributes, collectionId: number): void {
    const cell = this.table.series(attributes);
    // Two sets rewritten into one series (or the overflow series) add up for sums; a gauge keeps the last.
    if (this.#isSum && cell.observedIn === collectionId) cell.value += value;
    else cell.value = value;
    cell.observedIn = collectionId;
    cell.updates++;
  }

  async collect(
    reader: ReaderSlot,
    endTime: HrTime,
    nowMs: number,
    deltaSlots: number,
    collectionId: number,
    slice: LoopSlice,
  ): Promise<MetricData | undefined> {
    const delta = this.#isSum && reader.isDelta(this.kind);
    const points: Array<{ startTime: HrTime; endTime: HrTime; attributes: Attributes; value: number }> = [];
    let handled = 0;
    for (const cell of this.table.cells()) {
      if (++handled % SERIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
      if (cell.updates !== cell.foldedUpdates) {
        cell.foldedUpdates = cell.updates;
        cell.lastActiveSec = Math.floor(nowMs / 1000);
      }
      if (cell.observedIn !== collectionId) continue;
      if (!delta) {
        points.push({ startTime: cell.startTime, endTime, attributes: cell.attributes, value: cell.value });
        continue;
      }
      const reported = this.#lastReported(cell, deltaSlots)[reader.deltaSlot]!;
      const change = reported.value === undefined ? cell.value : cell.value - reported.value;
      reported.value = cell.value;
      points.push({
        startTime: reader.intervalStart(cell.startTime),
        endTime,
        attributes: cell.attributes,
        value: change,
      });
    }
    for (const evicted of this.table.evictIdle(nowMs)) this.#reported?.delete(evicted);
    if (points.length === 0) return undefined;
    // A gauge's value is the same either way, but it carries the temporality its reader asked for.
    const aggregationTemporality = reader.isDelta(this.kind) ? Temporality.DELTA : Temporality.CUMULATIVE;
    if (this.#isSum) {
      return {
        descriptor: this.descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.SUM,
        dataPoints: points,
        isMonotonic: this.#isMonotonic,
      };
    }
    return {
      descriptor: this.descriptor,
      aggregationTemporality,
      dataPointType: DataPointType.GAUGE,
      dataPoints: points,
    };
  }

  #lastReported(cell: ObservedCell, deltaSlots: number): LastReported[] {
    this.#reported ??= new Map();
    let reported = this.#reported.get(cell);
    if (reported === undefined) {
      reported = [];
      this.#reported.set(cell, reported);
    }
    while (reported.length < deltaSlots) reported.push({ value: undefined });
    return reported;
  }
}
