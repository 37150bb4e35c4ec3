/**
 * One collection of the primary's readers under `node:cluster`: the primary's own collection plus the
 * workers' part of the aggregate. Sums and histograms of the same series are added exactly; each gauge
 * series is combined across processes by its instrument's policy. The result keeps to the aggregator's
 * series limits (see `aggregate-series-limit.ts`).
 */
import { DataPointType, type ScopeMetrics } from '@yardstick/metrics-core';
import type { ClusterAggregator, WorkerAggregate } from './cluster-aggregator.ts';
import { combineGauge, type GaugeReading, PRIMARY_PROCESS } from './gauge-policy.ts';
import {
  attributesKey,
  indexMetrics,
  type MetricEntry,
  type MetricIndex,
  toScopeMetrics,
} from './metric-index.ts';
import { type AnyPoint, addPoints } from './point-arithmetic.ts';

function sameKind(a: MetricEntry, b: MetricEntry): boolean {
  const monotonic = (entry: MetricEntry) =>
    entry.metric.dataPointType === DataPointType.SUM && entry.metric.isMonotonic;
  return a.metric.dataPointType === b.metric.dataPointType && monotonic(a) === monotonic(b);
}

function addSeries(aggregator: ClusterAggregator, own: MetricEntry, workers: MetricEntry): MetricEntry {
  const points = new Map(own.points);
  for (const [series, point] of workers.points) {
    const mine = points.get(series);
    if (mine === undefined) {
      points.set(series, point);
      continue;
    }
    const sum = addPoints(own.metric.dataPointType, mine, point);
    if (sum === undefined) {
      aggregator.warnOnce(
        `boundaries\u0000${own.metric.descriptor.name}`,
        `cluster: histogram ${own.metric.descriptor.name} has different bucket boundaries in two processes; only one is kept`,
      );
    }
    points.set(series, sum ?? mine);
  }
  return { ...own, points };
}

function gaugeEntry(
  aggregator: ClusterAggregator,
  key: string,
  readers: readonly [string, MetricEntry][],
): MetricEntry {
  const readings = new Map<string, GaugeReading[]>();
  for (const [process, entry] of readers) {
    for (const [series, point] of entry.points) {
      const value = point.value as number;
      const reading = {
        process,
        point: point as GaugeReading['point'],
        changedAt: aggregator.gaugeClock.stamp(process, `${key}\u0000${series}`, value),
      };
      const list = readings.get(series);
      if (list === undefined) readings.set(series, [reading]);
      else list.push(reading);
    }
  }
  const [, first] = readers[0]!;
  const policy = aggregator.gaugePolicy(first.metric.descriptor.name);
  const points = new Map<string, AnyPoint>();
  for (const list of readings.values()) {
    for (const point of combineGauge(policy, list)) points.set(attributesKey(point.attributes), point);
  }
  return { ...first, points };
}

/**
 * The primary's `own` collection with `workers` added: `workers.totals` must already be in the reader's
 * temporality. Own metrics come first, in their order, then those only workers have.
 */
export function combineWithWorkers(
  aggregator: ClusterAggregator,
  own: readonly ScopeMetrics[],
  workers: Pick<WorkerAggregate, 'gauges'> & { readonly totals: MetricIndex },
): ScopeMetrics[] {
  const combined: MetricIndex = new Map();
  const gauges = new Map<string, [string, MetricEntry][]>();
  const gaugeOf = (key: string) => {
    let readers = gauges.get(key);
    if (readers === undefined) {
      readers = [];
      gauges.set(key, readers);
    }
    return readers;
  };
  for (const [key, entry] of indexMetrics(own)) {
    if (entry.metric.dataPointType === DataPointType.GAUGE) {
      combined.set(key, entry);
      gaugeOf(key).push([PRIMARY_PROCESS, entry]);
      continue;
    }
    const theirs = workers.totals.get(key);
    if (theirs === undefined) {
      combined.set(key, entry);
    } else if (!sameKind(entry, theirs)) {
      aggregator.warnOnce(
        `kind\u0000${key}`,
        `cluster: metric ${entry.metric.descriptor.name} has a different type in two processes; only one is kept`,
      );
      combined.set(key, entry);
    } else {
      combined.set(key, addSeries(aggregator, entry, theirs));
    }
  }
  for (const [key, entry] of workers.totals) if (!combined.has(key)) combined.set(key, entry);
  for (const { process, metrics } of workers.gauges) {
    for (const [key, entry] of metrics) {
      const mine = combined.get(key);
      if (mine !== undefined && mine.metric.dataPointType !== DataPointType.GAUGE) {
        aggregator.warnOnce(
          `kind\u0000${key}`,
          `cluster: metric ${entry.metric.descriptor.name} has a different type in two processes; only one is kept`,
        );
        continue;
      }
      if (mine === undefined) combined.set(key, entry);
      gaugeOf(key).push([process, entry]);
    }
  }
  for (const [key, readers] of gauges) combined.set(key, gaugeEntry(aggregator, key, readers));
  const limit = aggregator.seriesLimit;
  if (limit !== undefined) for (const [key, entry] of combined) combined.set(key, limit.apply(key, entry));
  return toScopeMetrics(combined);
}
