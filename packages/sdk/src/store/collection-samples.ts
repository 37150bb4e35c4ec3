/**
 * One collection as the samples the embedded store appends: the same families (name translation, clash
 * rules) and the same labels as the Prometheus exposition, so a query means the same thing on both.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Exemplar } from '@yardstick/metrics-core';
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
  /**
   * The exemplars of the sample, as the OpenMetrics exposition writes them: a counter's on its `_total`
   * series, a histogram's on the `_bucket` series whose `le` holds the value.
   */
  readonly exemplars?: readonly Exemplar[] | undefined;
}

/** The core's exemplars of a data point (a field sdk-metrics' type does not declare). */
function exemplarsOf(point: object): readonly Exemplar[] | undefined {
  const exemplars = (point as { exemplars?: readonly Exemplar[] }).exemplars;
  return exemplars === undefined || exemplars.length === 0 ? undefined : exemplars;
}

/** The index of the bucket `(boundaries[i-1], boundaries[i]]` holding `value`; the overflow bucket last. */
function bucketOf(boundaries: readonly number[], value: number): number {
  let i = 0;
  while (i < boundaries.length && value > (boundaries[i] as number)) i++;
  return i;
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
          const exemplars = exemplarsOf(point);
          let cumulative = 0;
          for (let i = 0; i < counts.length; i++) {
            cumulative += counts[i]!;
            const le = i < boundaries.length ? formatValue(boundaries[i]!) : '+Inf';
            const labels = { ...base, __name__: `${family.name}_bucket`, le };
            const held = exemplars?.filter((e) => bucketOf(boundaries, e.value) === i);
            yield held === undefined || held.length === 0
              ? { labels, value: cumulative }
              : { labels, value: cumulative, exemplars: held };
          }
          if (point.value.sum !== undefined)
            yield { labels: { ...base, __name__: `${family.name}_sum` }, value: point.value.sum };
          yield { labels: { ...base, __name__: `${family.name}_count` }, value: point.value.count };
        }
        continue;
      }
      const counter = family.type === 'counter';
      for (const point of metric.dataPoints) {
        const labels = seriesLabels(family.name, point.attributes, false, scope);
        const exemplars = counter ? exemplarsOf(point) : undefined;
        yield exemplars === undefined
          ? { labels, value: point.value as number }
          : { labels, value: point.value as number, exemplars };
      }
    }
  }
}
