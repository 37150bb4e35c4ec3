/**
 * A reader as the core sees it: which temporality it wants per instrument kind and, when it wants delta for
 * any kind, its slot in every series' pending state, and the end of its last collection.
 */
import type { HrTime } from '@opentelemetry/api';
import type { HistogramAggregationDefault } from '../aggregations/resolve-aggregation.ts';
import { hrTimeToMillis } from '../model/hr-time.ts';
import { type InstrumentKind, Temporality } from '../model/metric-data.ts';

/** Chooses each instrument kind's temporality, as an sdk-metrics reader's `selectAggregationTemporality`. */
export type TemporalitySelector = (kind: InstrumentKind) => Temporality;

/** Cumulative for everything (what Prometheus needs). */
export const cumulativeTemporality: TemporalitySelector = () => Temporality.CUMULATIVE;

const KINDS: readonly InstrumentKind[] = [
  'COUNTER',
  'GAUGE',
  'HISTOGRAM',
  'UP_DOWN_COUNTER',
  'OBSERVABLE_COUNTER',
  'OBSERVABLE_GAUGE',
  'OBSERVABLE_UP_DOWN_COUNTER',
];

/** A registered reader. */
export class ReaderSlot {
  readonly temporality: TemporalitySelector;
  /** Index into each series' delta pending state, or -1 when the reader wants no delta at all. */
  readonly deltaSlot: number;
  /** The aggregation this reader reads histograms with when no view chooses one. */
  readonly histogramAggregation: HistogramAggregationDefault;
  /** End time of this reader's previous collection. */
  lastCollection: HrTime | undefined = undefined;

  constructor(
    temporality: TemporalitySelector,
    nextDeltaSlot: number,
    histogramAggregation: HistogramAggregationDefault,
  ) {
    this.temporality = temporality;
    this.histogramAggregation = histogramAggregation;
    this.deltaSlot = KINDS.some((kind) => temporality(kind) === Temporality.DELTA) ? nextDeltaSlot : -1;
  }

  /** Whether this reader reads `kind` as delta. */
  isDelta(kind: InstrumentKind): boolean {
    return this.deltaSlot >= 0 && this.temporality(kind) === Temporality.DELTA;
  }

  /** Start of a delta point: the previous collection, or the series' own start if it is newer. */
  intervalStart(seriesStart: HrTime): HrTime {
    const last = this.lastCollection;
    if (last === undefined) return seriesStart;
    return hrTimeToMillis(seriesStart) > hrTimeToMillis(last) ? seriesStart : last;
  }
}
