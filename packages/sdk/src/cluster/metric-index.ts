/**
 * Collected metrics indexed by metric and by series, so that the reports of several processes can be
 * matched point by point: a metric is its scope (name, version, schema URL) plus its exported name, a series
 * is its attribute set in any key order.
 */
import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope, MetricData, ScopeMetrics } from '@yardstick/metrics-core';
import type { AnyPoint } from './point-arithmetic.ts';

/** One metric of one collection: where it comes from, its shape, and its points by series. */
export interface MetricEntry {
  readonly scope: InstrumentationScope;
  /** The metric as collected; only its descriptor, type, temporality and monotonicity are read. */
  readonly metric: MetricData;
  readonly points: Map<string, AnyPoint>;
}

/** Metrics by {@link metricKey}. */
export type MetricIndex = Map<string, MetricEntry>;

/** The identity of a metric: its scope and exported name. */
export function metricKey(scope: InstrumentationScope, name: string): string {
  return `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}\u0000${name}`;
}

/**
 * Keys of frozen attribute sets. For speed: the core hands every collection the same frozen object per
 * series, and the primary keeps one per worker series (see {@link indexMetrics}), so a worker fingerprinting
 * its series for each report and the primary indexing its own collection at each scrape look the key up
 * instead of sorting and serializing the set again.
 */
const frozenKeys = new WeakMap<Attributes, string>();

/** The identity of a series: its attributes, in any key order. */
export function attributesKey(attributes: Attributes): string {
  const known = frozenKeys.get(attributes);
  if (known !== undefined) return known;
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  const key = JSON.stringify(keys.map((name) => [name, attributes[name]]));
  // A set that is not frozen may change under the same identity.
  if (Object.isFrozen(attributes)) frozenKeys.set(attributes, key);
  return key;
}

/**
 * Indexes collected scopes; the points are shared, not copied. A point of a series that `known` (the same
 * process's previous index) also holds is given the attributes object `known` has for it.
 *
 * Why: the exposition recognises a series by its attributes object, from one scrape to the next, to reuse
 * its rendered labels and its place in the sorted order (`label-renderer.ts`, `series-order.ts`). A report
 * decodes into new objects every time; measured (bench/cluster-scrape.ts): keeping each series' first
 * object makes the aggregate keep its order and labels between scrapes as one process's core does.
 */
export function indexMetrics(scopeMetrics: readonly ScopeMetrics[], known?: MetricIndex): MetricIndex {
  const index: MetricIndex = new Map();
  for (const { scope, metrics } of scopeMetrics) {
    for (const metric of metrics) {
      const key = metricKey(scope, metric.descriptor.name);
      const before = known?.get(key)?.points;
      const points = new Map<string, AnyPoint>();
      for (const point of metric.dataPoints) {
        const series = attributesKey(point.attributes);
        const attributes = before?.get(series)?.attributes;
        points.set(
          series,
          attributes === undefined || attributes === point.attributes ? point : { ...point, attributes },
        );
      }
      index.set(key, { scope, metric, points });
    }
  }
  return index;
}

/** The index back as scopes in the data model, metrics in index order. */
export function toScopeMetrics(index: MetricIndex): ScopeMetrics[] {
  const scopes = new Map<string, ScopeMetrics>();
  for (const { scope, metric, points } of index.values()) {
    const key = metricKey(scope, '');
    let scopeMetrics = scopes.get(key);
    if (scopeMetrics === undefined) {
      scopeMetrics = { scope, metrics: [] };
      scopes.set(key, scopeMetrics);
    }
    scopeMetrics.metrics.push({ ...metric, dataPoints: [...points.values()] } as MetricData);
  }
  return [...scopes.values()];
}
