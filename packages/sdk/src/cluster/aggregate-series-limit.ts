/**
 * The per-metric series limit applied to the aggregate of a cluster's processes. Each process keeps its own
 * metrics under the limit, but their union can exceed it (four workers with 1,500 different series each);
 * the primary then exposes at most `limit` series of the metric plus the overflow series
 * (`otel.metric.overflow=true`), as one process would.
 *
 * Admission is first come, first kept, and never revoked: the first `limit` series the aggregate sees keep
 * their places, every later one is added into the overflow series. So the overflow series holds the exact
 * remainder (the processes' own overflow plus every series left out), nothing is counted twice, and
 * a counter's overflow series never goes down: the series it sums never leave it.
 */
import { type DataPoint, DataPointType, OVERFLOW_ATTRIBUTES } from '@yardstick/metrics-core';
import type { ClusterGaugePolicy } from '../config/cluster-schema.ts';
import { attributesKey, type MetricEntry } from './metric-index.ts';
import { type AnyPoint, addPoints, isEarlier } from './point-arithmetic.ts';

/** The series key of the overflow series. */
const OVERFLOW_KEY = attributesKey(OVERFLOW_ATTRIBUTES);

/** Options of {@link AggregateSeriesLimit}. */
export interface AggregateSeriesLimitOptions {
  /** The series limit of a metric, by exported name (the primary's `cardinality` settings). */
  readonly limitFor: (name: string) => number;
  /** The gauge policy of a metric: how the overflow series combines the gauge series left out. */
  readonly gaugePolicy: (name: string) => ClusterGaugePolicy;
  /** Called when two points cannot be added (explicit histograms with different boundaries). */
  readonly onMismatch: (name: string) => void;
}

/** Two gauge points of the overflow series as one, by the metric's policy. */
function combineGaugePoints(
  policy: ClusterGaugePolicy,
  a: DataPoint<number>,
  b: DataPoint<number>,
): DataPoint<number> {
  const startTime = isEarlier(b.startTime, a.startTime) ? b.startTime : a.startTime;
  const later = isEarlier(a.endTime, b.endTime) ? b : a;
  let value: number;
  if (policy === 'sum') value = a.value + b.value;
  else if (policy === 'min') value = Math.min(a.value, b.value);
  else if (policy === 'max') value = Math.max(a.value, b.value);
  // `last` and `worker`: like one process's overflow series, the value written last.
  else value = later.value;
  return { attributes: a.attributes, startTime, endTime: later.endTime, value };
}

/** The admitted series of every metric of the aggregate; shared by all readers of the primary. */
export class AggregateSeriesLimit {
  readonly #options: AggregateSeriesLimitOptions;
  /** Admitted series keys by metric key. */
  readonly #admitted = new Map<string, Set<string>>();

  constructor(options: AggregateSeriesLimitOptions) {
    this.#options = options;
  }

  /**
   * `entry` (metric `key` of one collection of the aggregate) with at most the metric's limit of series
   * plus the overflow series. Returns `entry` itself when every series is admitted.
   */
  apply(key: string, entry: MetricEntry): MetricEntry {
    const name = entry.metric.descriptor.name;
    let admitted = this.#admitted.get(key);
    if (admitted === undefined) {
      admitted = new Set();
      this.#admitted.set(key, admitted);
    }
    const limit = this.#options.limitFor(name);
    let excess: AnyPoint[] | undefined;
    for (const [series, point] of entry.points) {
      if (series === OVERFLOW_KEY || admitted.has(series)) continue;
      if (admitted.size < limit) {
        admitted.add(series);
        continue;
      }
      excess ??= [];
      excess.push(point);
    }
    if (excess === undefined) return entry;
    const points = new Map<string, AnyPoint>();
    for (const [series, point] of entry.points) {
      if (series !== OVERFLOW_KEY && admitted.has(series)) points.set(series, point);
    }
    let overflow = entry.points.get(OVERFLOW_KEY);
    for (const point of excess) {
      const moved = { ...point, attributes: OVERFLOW_ATTRIBUTES } as AnyPoint;
      overflow = overflow === undefined ? moved : this.#add(entry, overflow, moved);
    }
    points.set(OVERFLOW_KEY, overflow!);
    return { ...entry, points };
  }

  #add(entry: MetricEntry, a: AnyPoint, b: AnyPoint): AnyPoint {
    const type = entry.metric.dataPointType;
    const name = entry.metric.descriptor.name;
    if (type === DataPointType.GAUGE) {
      return combineGaugePoints(
        this.#options.gaugePolicy(name),
        a as DataPoint<number>,
        b as DataPoint<number>,
      );
    }
    const sum = addPoints(type, a, b);
    if (sum !== undefined) return sum;
    this.#options.onMismatch(name);
    return a;
  }
}
