/**
 * One collection as the samples the embedded store appends: the same families (name translation, clash
 * rules) and the same labels as the Prometheus exposition, so a query means the same thing on both.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  type Exemplar,
  type ExponentialHistogramValue,
  toClassicBuckets,
  toNativeBuckets,
} from '@yardstick/metrics-core';
import { FloatHistogram, type Labels } from '@yardstick/promql';
import { attributeLabelPairs, resourceTargetLabels } from '../exposition/attribute-labels.ts';
import { formatValue } from '../exposition/format-value.ts';
import { collectFamilies } from '../exposition/metric-families.ts';

/** Reports a problem once per `key` (name clashes found while grouping families). */
export type WarnOnce = (key: string, message: string) => void;

/** One sample of a collection: the series' labels (`__name__` included) and its value. */
export interface CollectionSample {
  readonly labels: Labels;
  /** The float value; NaN for a native histogram sample. */
  readonly value: number;
  /** An exponential histogram's point as a native histogram (the series' value instead of `value`). */
  readonly histogram?: FloatHistogram | undefined;
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

/**
 * The cumulative `_bucket` series (the last count is the `+Inf` bucket), `_sum` and `_count` of a classic
 * histogram point; each bucket carries the exemplars whose values it holds.
 */
function* classicSamples(
  name: string,
  base: Record<string, string>,
  boundaries: readonly number[],
  counts: readonly number[],
  value: { readonly sum?: number | undefined; readonly count: number },
  exemplars: readonly Exemplar[] | undefined,
): Generator<CollectionSample, void, undefined> {
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i]!;
    const le = i < boundaries.length ? formatValue(boundaries[i]!) : '+Inf';
    const labels = { ...base, __name__: `${name}_bucket`, le };
    const held = exemplars?.filter((e) => bucketOf(boundaries, e.value) === i);
    yield held === undefined || held.length === 0
      ? { labels, value: cumulative }
      : { labels, value: cumulative, exemplars: held };
  }
  if (value.sum !== undefined) yield { labels: { ...base, __name__: `${name}_sum` }, value: value.sum };
  yield { labels: { ...base, __name__: `${name}_count` }, value: value.count };
}

/**
 * An exponential histogram point as a native histogram (Prometheus numbering, schema at most 8, see
 * `toNativeBuckets`), or undefined below schema -4. Without a sum (instruments that may record negative
 * values) the sum is NaN, as the protobuf exposition writes it.
 */
function nativeHistogram(value: ExponentialHistogramValue): FloatHistogram | undefined {
  const native = toNativeBuckets(value);
  if (native === undefined) return undefined;
  return new FloatHistogram({
    schema: native.schema,
    zeroThreshold: 0,
    zeroCount: native.zeroCount,
    count: value.count,
    sum: value.sum ?? Number.NaN,
    positiveSpans: native.positive.spans,
    positiveBuckets: native.positive.counts,
    negativeSpans: native.negative.spans,
    negativeBuckets: native.negative.counts,
  });
}

/** Only `__name__` is off limits for attributes: scope labels are joined, exactly as `/metrics` does. */
const NAME_ONLY: ReadonlySet<string> = new Set(['__name__']);

function seriesLabels(
  name: string,
  attributes: Attributes,
  histogram: boolean,
  scope: readonly (readonly [string, string])[],
  target: TargetLabels,
): Record<string, string> {
  const labels = Object.fromEntries(attributeLabelPairs(attributes, histogram, NAME_ONLY, scope));
  labels.__name__ = name;
  return withTarget(labels, target);
}

/** One metric family's metadata, as `/api/v1/metadata` lists it (Prometheus's `type`, `help`, `unit`). */
export interface MetricMetadata {
  readonly type: string;
  readonly help: string;
  readonly unit: string;
}

/** The `job` and `instance` labels a Prometheus scrape of this process gives every series. */
export interface TargetLabels {
  readonly job: string;
  readonly instance: string;
}

/**
 * `job` and `instance` from the resource, as the OTel specification maps them for Prometheus:
 * `service.namespace/service.name` (or `service.name` alone) is the job, `service.instance.id` the instance
 * unless `instanceOverride` is given.
 */
export function scrapeTargetLabels(attributes: Attributes, instanceOverride?: string): TargetLabels {
  const name = attributes['service.name'];
  const namespace = attributes['service.namespace'];
  const instance = instanceOverride ?? attributes['service.instance.id'];
  const job = name === undefined ? '' : String(name);
  return {
    job: namespace === undefined || namespace === '' ? job : `${String(namespace)}/${job}`,
    instance: instance === undefined ? '' : String(instance),
  };
}

/**
 * Adds the target's labels as a scrape does with `honor_labels: false`: a series' own `job` or `instance`
 * moves to `exported_job`/`exported_instance`.
 */
function withTarget(labels: Record<string, string>, target: TargetLabels): Record<string, string> {
  for (const name of ['job', 'instance'] as const) {
    const own = labels[name];
    if (own !== undefined) labels[`exported_${name}`] = own;
    if (target[name] === '') delete labels[name];
    else labels[name] = target[name];
  }
  return labels;
}

/**
 * The samples of one collection, produced one at a time so the caller can give the event loop a turn
 * between any two of them: a histogram point becomes its cumulative `_bucket` series, `_sum` and `_count`.
 * Every series carries the `job` and `instance` of `target` (by default {@link scrapeTargetLabels} of the
 * resource), as if Prometheus had scraped `/metrics`; `metadata`, when given, receives each family's type,
 * help and unit.
 */
export function* collectionSamples(
  resourceMetrics: ResourceMetrics,
  warnOnce: WarnOnce,
  metadata?: Map<string, MetricMetadata>,
  target: TargetLabels = scrapeTargetLabels(resourceMetrics.resource.attributes),
): Generator<CollectionSample, void, undefined> {
  const families = collectFamilies(resourceMetrics, { targetInfo: true, scopeLabels: true, warnOnce });
  for (const family of families) {
    // Keyed as Prometheus keys what it scrapes in OpenMetrics (what it negotiates): by family name.
    metadata?.set(family.familyName, { type: family.type, help: family.help, unit: family.unit });
    if (family.type === 'info') {
      const labels = resourceTargetLabels(resourceMetrics.resource.attributes);
      if (Object.keys(labels).length > 0)
        yield { labels: withTarget({ ...labels, __name__: family.name }, target), value: 1 };
      continue;
    }
    for (const { metric, scopeLabels } of family.members) {
      const scope = scopeLabels.pairs;
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const base = seriesLabels(family.name, point.attributes, true, scope, target);
          const { boundaries, counts } = point.value.buckets;
          yield* classicSamples(family.name, base, boundaries, counts, point.value, exemplarsOf(point));
        }
        continue;
      }
      if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const labels = seriesLabels(family.name, point.attributes, true, scope, target);
          const exemplars = exemplarsOf(point);
          const histogram = nativeHistogram(point.value);
          if (histogram !== undefined) {
            yield exemplars === undefined
              ? { labels, value: Number.NaN, histogram }
              : { labels, value: Number.NaN, histogram, exemplars };
            continue;
          }
          // Below schema -4 there is no native form: classic buckets, as the protobuf exposition writes.
          const classic = toClassicBuckets(point.value);
          const top = classic.boundaries.at(-1) === Number.MAX_VALUE;
          const boundaries = top ? classic.boundaries.slice(0, -1) : classic.boundaries;
          const counts = top ? classic.counts : [...classic.counts, 0];
          yield* classicSamples(family.name, labels, boundaries, counts, point.value, exemplars);
        }
        continue;
      }
      const counter = family.type === 'counter';
      for (const point of metric.dataPoints) {
        const labels = seriesLabels(family.name, point.attributes, false, scope, target);
        const exemplars = counter ? exemplarsOf(point) : undefined;
        yield exemplars === undefined
          ? { labels, value: point.value as number }
          : { labels, value: point.value as number, exemplars };
      }
    }
  }
}
