/**
 * The primary's view of its workers: the latest cumulative report of each live worker, and the retired
 * totals of everything that left (workers that exited or crashed, series a worker's core forgot or
 * restarted), so that the sum over workers of a counter or a histogram never goes down.
 *
 * Only what accumulates is retired: monotonic sums and histograms. A gauge or an up-down counter describes
 * a live process (its queue, its connections), so it leaves the aggregate with the process.
 */
import { DataPointType } from '@yardstick/metrics-core';
import type { ClusterGaugePolicy } from '../config/cluster-schema.ts';
import { AggregateSeriesLimit } from './aggregate-series-limit.ts';
import type { ClusterReport, HistogramAggregationName } from './cluster-report.ts';
import { GaugeChangeClock } from './gauge-change-clock.ts';
import { createGaugePolicyLookup } from './gauge-policy.ts';
import { indexMetrics, type MetricEntry, type MetricIndex } from './metric-index.ts';
import { type AnyPoint, accumulates, addPoints, continues } from './point-arithmetic.ts';

/** Options of {@link ClusterAggregator}. */
export interface ClusterAggregatorOptions {
  /** `cluster.gauges`: gauge policy per instrument name or pattern. */
  readonly gauges: Readonly<Record<string, ClusterGaugePolicy>>;
  /** Where problems go (each is reported once). */
  readonly warn: (message: string) => void;
  /**
   * The series limit of a metric by exported name (the `cardinality` settings), applied to the aggregate
   * as to one process; undefined: the aggregate is not limited beyond each process's own limits.
   */
  readonly cardinalityLimit?: ((name: string) => number) | undefined;
}

/** The workers' part of the aggregate, for one histogram aggregation. Shared: read it, never change it. */
export interface WorkerAggregate {
  /** Sums and histograms of the live workers plus the retired totals, cumulative. */
  readonly totals: MetricIndex;
  /** The gauges of each live worker. */
  readonly gauges: ReadonlyArray<{ readonly process: string; readonly metrics: MetricIndex }>;
}

function isMonotonic(entry: MetricEntry): boolean {
  return entry.metric.dataPointType === DataPointType.SUM && entry.metric.isMonotonic;
}

function sameKind(a: MetricEntry, b: MetricEntry): boolean {
  return a.metric.dataPointType === b.metric.dataPointType && isMonotonic(a) === isMonotonic(b);
}

/**
 * `before` with the series of `changes` put over its own, metric by metric. Neither is changed: aggregates
 * and the retired cell share their entries. A metric whose kind changed is taken from `changes` whole.
 */
function overlay(before: MetricIndex | undefined, changes: MetricIndex): MetricIndex {
  const merged: MetricIndex = new Map(before);
  for (const [key, entry] of changes) {
    const old = merged.get(key);
    if (old === undefined || !sameKind(old, entry)) {
      merged.set(key, entry);
      continue;
    }
    const points = new Map(old.points);
    for (const [series, point] of entry.points) points.set(series, point);
    merged.set(key, { ...entry, points });
  }
  return merged;
}

/**
 * Keeps what workers report and answers the aggregate. Fed by `listenToWorkers`; read by every reader of
 * the primary at each collection.
 */
export class ClusterAggregator {
  /** The gauge policy of a metric, by exported name. */
  readonly gaugePolicy: (name: string) => ClusterGaugePolicy;
  /** When gauge readings changed, for the `last` policy. */
  readonly gaugeClock = new GaugeChangeClock();
  /** The series limit of the aggregate (readers' combined collections), if any. */
  readonly seriesLimit: AggregateSeriesLimit | undefined;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #live = new Map<string, Map<HistogramAggregationName, MetricIndex>>();
  readonly #retired = new Map<HistogramAggregationName, MetricIndex>();
  readonly #gone = new Set<string>();
  /** The sequence number of the last report taken from each live worker. */
  readonly #sequences = new Map<string, number>();
  #version = 0;
  readonly #cache = new Map<HistogramAggregationName, { version: number; aggregate: WorkerAggregate }>();

  constructor(options: ClusterAggregatorOptions) {
    this.gaugePolicy = createGaugePolicyLookup(options.gauges);
    this.#warn = options.warn;
    const limitFor = options.cardinalityLimit;
    this.seriesLimit =
      limitFor === undefined
        ? undefined
        : new AggregateSeriesLimit({
            limitFor,
            gaugePolicy: this.gaugePolicy,
            onMismatch: (name) =>
              this.warnOnce(
                `boundaries\u0000${name}`,
                `cluster: histogram ${name} has different bucket boundaries in two processes; only one is kept`,
              ),
          });
  }

  /** Whether any worker has reported: until then the primary's readers see the primary alone, unchanged. */
  get active(): boolean {
    return this.#live.size > 0 || this.#retired.size > 0;
  }

  /** Warns once per `key`. */
  warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn(message);
  }

  /**
   * Takes `report` as the latest totals of worker `process`: all of them from a full report; from a partial
   * one, the series it carries on top of the previous report, which it must directly follow (otherwise it is
   * skipped, and the worker's totals wait for its next full report). Series of the previous report that are
   * missing from a full one, or restarted, keep their last totals in the retired cell. Reports of a retired
   * worker are ignored.
   */
  accept(process: string, report: ClusterReport): void {
    if (this.#gone.has(process)) return;
    const previous = this.#live.get(process);
    const partial = !report.full;
    if (partial && (previous === undefined || this.#sequences.get(process) !== report.sequence - 1)) {
      this.warnOnce(
        `gap\u0000${process}`,
        `cluster: a partial report of worker ${process} does not follow the last one taken; its totals wait for its next full report`,
      );
      return;
    }
    // For speed: a partial report is handled in time proportional to the series it carries (retirement and
    // gauge stamps look at those alone; series never disappear in one), so workers reporting 1% of their
    // series cost the primary ~1% of the work.
    const next = new Map<HistogramAggregationName, MetricIndex>(partial ? previous : undefined);
    const gaugeSeries = partial ? undefined : new Set<string>();
    for (const { histogramAggregation, scopeMetrics } of report.collections) {
      const before = previous?.get(histogramAggregation);
      const changes = indexMetrics(scopeMetrics, before);
      if (before !== undefined) this.#retireDeparted(histogramAggregation, before, changes, partial);
      next.set(histogramAggregation, partial ? overlay(before, changes) : changes);
      this.#stampGauges(process, changes, gaugeSeries);
    }
    if (!partial && previous !== undefined) {
      for (const [aggregation, before] of previous) {
        if (!next.has(aggregation)) this.#retireDeparted(aggregation, before, undefined, false);
      }
    }
    if (gaugeSeries !== undefined) this.gaugeClock.retain(process, gaugeSeries);
    this.#sequences.set(process, report.sequence);
    this.#live.set(process, next);
    this.#version++;
  }

  /** Stamps the gauge readings of `index` in the change clock, adding their ids to `ids`. */
  #stampGauges(process: string, index: MetricIndex, ids: Set<string> | undefined): void {
    for (const [key, entry] of index) {
      if (entry.metric.dataPointType !== DataPointType.GAUGE) continue;
      for (const [series, point] of entry.points) {
        const id = `${key}\u0000${series}`;
        this.gaugeClock.stamp(process, id, point.value as number);
        ids?.add(id);
      }
    }
  }

  /** Worker `process` is gone: its last totals join the retired cell, its gauges and up-down sums leave. */
  retire(process: string): void {
    if (this.#gone.has(process)) return;
    this.#gone.add(process);
    const last = this.#live.get(process);
    if (last === undefined) return;
    for (const [aggregation, before] of last) this.#retireDeparted(aggregation, before, undefined, false);
    this.#live.delete(process);
    this.#sequences.delete(process);
    this.gaugeClock.forget(process);
    this.#version++;
  }

  /** The workers' part of the aggregate for readers of histograms in `aggregation`. */
  aggregate(aggregation: HistogramAggregationName): WorkerAggregate {
    const cached = this.#cache.get(aggregation);
    if (cached !== undefined && cached.version === this.#version) return cached.aggregate;
    // For speed: each metric's points are summed into one new map from all its contributors (the retired
    // cell, then each live worker), not copied once more per worker; a metric only one of them has is shared.
    const contributors = new Map<string, MetricEntry[]>();
    const contribute = (key: string, entry: MetricEntry) => {
      const entries = contributors.get(key);
      if (entries === undefined) contributors.set(key, [entry]);
      else entries.push(entry);
    };
    for (const [key, entry] of this.#retired.get(aggregation) ?? []) contribute(key, entry);
    const gauges: { process: string; metrics: MetricIndex }[] = [];
    for (const [process, collections] of this.#live) {
      let index = collections.get(aggregation);
      const fallback = index === undefined;
      if (index === undefined) {
        // Sums and gauges read the same under either aggregation; histograms cannot be converted exactly.
        index = collections.values().next().value ?? new Map();
      }
      const workerGauges: MetricIndex = new Map();
      for (const [key, entry] of index) {
        const type = entry.metric.dataPointType;
        if (type === DataPointType.GAUGE) {
          workerGauges.set(key, entry);
        } else if (fallback && type !== DataPointType.SUM) {
          this.warnOnce(
            `fallback\u0000${aggregation}`,
            `cluster: a worker reports no ${aggregation} histograms (its config differs from the primary's); its histograms are left out of readers that use them`,
          );
        } else {
          contribute(key, entry);
        }
      }
      gauges.push({ process, metrics: workerGauges });
    }
    const totals: MetricIndex = new Map();
    for (const [key, entries] of contributors) totals.set(key, this.#sum(key, entries));
    const aggregate = { totals, gauges };
    this.#cache.set(aggregation, { version: this.#version, aggregate });
    return aggregate;
  }

  /** The sum of `entries` (one metric of several processes); the first one itself when it is alone. */
  #sum(key: string, entries: readonly MetricEntry[]): MetricEntry {
    const first = entries[0]!;
    if (entries.length === 1) return first;
    const points = new Map(first.points);
    for (let i = 1; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!sameKind(first, entry)) {
        this.#warnKind(key, entry);
        continue;
      }
      for (const [series, point] of entry.points) {
        const before = points.get(series);
        points.set(series, before === undefined ? point : this.#add(entry, before, point));
      }
    }
    return { ...first, points };
  }

  #warnKind(key: string, entry: MetricEntry): void {
    this.warnOnce(
      `kind\u0000${key}`,
      `cluster: metric ${entry.metric.descriptor.name} has a different type in two processes; only one is kept`,
    );
  }

  /** Adds every point of `entry` into `target` under `key`; `target`'s own maps are replaced, never changed. */
  #addInto(target: MetricIndex, key: string, entry: MetricEntry): void {
    const existing = target.get(key);
    if (existing === undefined) {
      target.set(key, entry);
      return;
    }
    if (!sameKind(existing, entry)) {
      this.#warnKind(key, entry);
      return;
    }
    const points = new Map(existing.points);
    for (const [series, point] of entry.points) {
      const before = points.get(series);
      points.set(series, before === undefined ? point : this.#add(entry, before, point));
    }
    target.set(key, { ...existing, points });
  }

  #add(entry: MetricEntry, a: AnyPoint, b: AnyPoint): AnyPoint {
    const sum = addPoints(entry.metric.dataPointType, a, b);
    if (sum !== undefined) return sum;
    this.warnOnce(
      `boundaries\u0000${entry.metric.descriptor.name}`,
      `cluster: histogram ${entry.metric.descriptor.name} has different bucket boundaries in two processes; only one is kept`,
    );
    return a;
  }

  /**
   * Retires the accumulating series of `before` that `after` (the next report, if any) does not continue.
   * `onlyChanged`: `after` is a partial report, so only the series it carries can have restarted (the others
   * stay as they were), and only those are looked at.
   */
  #retireDeparted(
    aggregation: HistogramAggregationName,
    before: MetricIndex,
    after: MetricIndex | undefined,
    onlyChanged: boolean,
  ): void {
    for (const key of onlyChanged && after !== undefined ? after.keys() : before.keys()) {
      const entry = before.get(key);
      if (entry === undefined) continue;
      const monotonic = isMonotonic(entry);
      if (!accumulates(entry.metric.dataPointType, monotonic)) continue;
      const now = after?.get(key);
      const comparable = now !== undefined && sameKind(now, entry);
      const departed = new Map<string, AnyPoint>();
      // A partial report that changes a metric's kind replaces the metric whole (see `overlay`).
      for (const series of onlyChanged && comparable ? now.points.keys() : entry.points.keys()) {
        const point = entry.points.get(series);
        if (point === undefined) continue;
        const current = comparable ? now.points.get(series) : undefined;
        if (current === undefined || !continues(entry.metric.dataPointType, current, point, monotonic)) {
          departed.set(series, point);
        }
      }
      if (departed.size === 0) continue;
      let retired = this.#retired.get(aggregation);
      if (retired === undefined) {
        retired = new Map();
        this.#retired.set(aggregation, retired);
      }
      this.#addInto(retired, key, { ...entry, points: departed });
    }
  }
}
