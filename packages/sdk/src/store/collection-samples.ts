/**
 * One collection as the samples the embedded store appends: the same families (name translation, clash
 * rules) and the same labels as the Prometheus exposition, so a query means the same thing on both.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Labels } from '@yardstick/promql';
import { attributeLabelPairs, resourceTargetLabels } from '../exposition/attribute-labels.ts';
import { formatValue } from '../exposition/format-value.ts';
import { collectFamilies } from '../exposition/metric-families.ts';

/** Reports a problem once per `key` (name clashes found while grouping families). */
export type WarnOnce = (key: string, message: string) => void;

/** One sample of a collection: the series' labels (`__name__` included) and its value. */
export interface CollectionSample {
  readonly labels: Labels;
  readonly value: number;
}

/** Only `__name__` is off limits for attributes: scope labels are joined, exactly as `/metrics` does. */
const NAME_ONLY: ReadonlySet<string> = new Set(['__name__']);

function seriesLabels(
  name: string,
  attributes: Attributes,
  histogram: boolean,
  scope: readonly (readonly [string, string])[],
): Record<string, string> {
  const labels = Object.fromEntries(attributeLabelPairs(attributes, histogram, NAME_ONLY, scope));
  labels.__name__ = name;
  return labels;
}

/**
 * The samples of one collection, produced one at a time so the caller can give the event loop a turn
 * between any two of them: a histogram point becomes its cumulative `_bucket` series, `_sum` and `_count`.
 */
export function* collectionSamples(
  resourceMetrics: ResourceMetrics,
  warnOnce: WarnOnce,
): Generator<CollectionSample, void, undefined> {
  const families = collectFamilies(resourceMetrics, { targetInfo: true, scopeLabels: true, warnOnce });
  for (const family of families) {
    if (family.type === 'info') {
      const labels = resourceTargetLabels(resourceMetrics.resource.attributes);
      if (Object.keys(labels).length > 0) yield { labels: { ...labels, __name__: family.name }, value: 1 };
      continue;
    }
    for (const { metric, scopeLabels } of family.members) {
      const scope = scopeLabels.pairs;
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const base = seriesLabels(family.name, point.attributes, true, scope);
          const { boundaries, counts } = point.value.buckets;
          let cumulative = 0;
          for (let i = 0; i < counts.length; i++) {
            cumulative += counts[i]!;
            const le = i < boundaries.length ? formatValue(boundaries[i]!) : '+Inf';
            yield { labels: { ...base, __name__: `${family.name}_bucket`, le }, value: cumulative };
          }
          if (point.value.sum !== undefined)
            yield { labels: { ...base, __name__: `${family.name}_sum` }, value: point.value.sum };
          yield { labels: { ...base, __name__: `${family.name}_count` }, value: point.value.count };
        }
        continue;
      }
      for (const point of metric.dataPoints) {
        yield {
          labels: seriesLabels(family.name, point.attributes, false, scope),
          value: point.value as number,
        };
      }
    }
  }
}
