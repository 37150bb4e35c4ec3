/**
 * A summary's series and their collection: each series keeps its count and sum since it started and a
 * sliding window of values for the quantiles. Collected apart from the OTel streams (see `summary-data.ts`).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { ExponentialHistogramCell } from '../aggregations/exponential-histogram.ts';
import type { LoopSlice } from '../collection/loop-slice.ts';
import { SERIES_PER_CLOCK_READ } from '../collection/loop-slice.ts';
import { SeriesCell } from '../series/series-cell.ts';
import type { SeriesTable } from '../series/series-table.ts';
import { SlidingQuantiles } from './sliding-quantiles.ts';
import type { SummaryDataPoint, SummaryMetricData, SummaryQuantile } from './summary-data.ts';
import type { ResolvedSummaryOptions } from './summary-options.ts';

/** One series of a summary. */
export class SummaryCell extends SeriesCell {
  count = 0;
  sum = 0;
  readonly window: SlidingQuantiles;

  constructor(attributes: Attributes, startTime: HrTime, nowMs: number, options: ResolvedSummaryOptions) {
    super(attributes, startTime, nowMs);
    this.window = new SlidingQuantiles(options);
  }

  /** Counts a finite value (checked by the caller). */
  record(value: number): void {
    this.count++;
    this.sum += value;
    this.window.record(value);
  }
}

/** A summary as collection sees it. */
export class SummaryStream {
  readonly table: SeriesTable<SummaryCell>;
  readonly #options: ResolvedSummaryOptions;
  readonly #descriptor: SummaryMetricData['descriptor'];
  /** The periods of a series are merged here at collection: one per stream, collections do not overlap. */
  readonly #scratch: ExponentialHistogramCell;
  readonly #values: number[];

  constructor(name: string, table: SeriesTable<SummaryCell>, options: ResolvedSummaryOptions) {
    this.table = table;
    this.#options = options;
    this.#descriptor = { name, description: options.description, unit: options.unit };
    this.#scratch = new ExponentialHistogramCell({ maxSize: options.maxBuckets });
    this.#values = new Array<number>(options.percentiles.length).fill(Number.NaN);
  }

  /** Every series' count, sum and quantiles now (`nowMs` for idle eviction); undefined when there is no series. */
  async collect(endTime: HrTime, nowMs: number, slice: LoopSlice): Promise<SummaryMetricData | undefined> {
    const percentiles = this.#options.percentiles;
    const values = this.#values;
    const points: SummaryDataPoint[] = [];
    let handled = 0;
    for (const cell of this.table.cells()) {
      if (++handled % SERIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
      if (cell.updates !== cell.foldedUpdates) {
        cell.foldedUpdates = cell.updates;
        cell.lastActiveSec = Math.floor(nowMs / 1000);
      }
      const bound = cell.window.quantiles(percentiles, this.#scratch, values);
      const quantiles: SummaryQuantile[] = percentiles.map((quantile, i) => ({
        quantile,
        value: values[i] as number,
      }));
      points.push({
        startTime: cell.startTime,
        endTime,
        attributes: cell.attributes,
        count: cell.count,
        sum: cell.sum,
        quantiles,
        relativeError: Number.isNaN(values[0]) ? 0 : bound,
      });
    }
    this.table.evictIdle(nowMs);
    return points.length === 0 ? undefined : { descriptor: this.#descriptor, dataPoints: points };
  }
}
