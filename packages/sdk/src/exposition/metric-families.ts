/**
 * Groups the metrics of one collection into Prometheus metric families: one per exposed name, sorted by
 * name, with type, HELP and unit decided once per family and conflicts resolved up front.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import {
  DataPointType,
  type ExponentialHistogramMetricData,
  type GaugeMetricData,
  type HistogramMetricData,
  type ResourceMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import type { SummaryMetricData, SummaryScopeMetrics } from '@yardstick/metrics-core';
import { scopeLabelPairs } from './attribute-labels.ts';
import { escapeLabelValue } from './escape.ts';
import type { ScopeLabels } from './label-renderer.ts';
import { type PrometheusName, type PrometheusType, prometheusName } from './metric-name.ts';

/** The name of the resource's info metric (OpenMetrics family `target`, type `info`). */
export const TARGET_INFO = 'target_info';
const TARGET_FAMILY = 'target';

/** The OTel metric kinds an exposition can carry (an exponential histogram is written as a classic one). */
export type ExposableMetric =
  | SumMetricData
  | GaugeMetricData
  | HistogramMetricData
  | ExponentialHistogramMetricData;

/** One OTel metric inside a family, with the scope labels its series carry. */
export interface FamilyMember {
  readonly metric: ExposableMetric;
  /** `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` (each when set); none when off. */
  readonly scopeLabels: ScopeLabels;
}

/** What every family has: names, type, HELP, unit. */
interface FamilyHead {
  /** Sample name (and text format `# TYPE` name). */
  readonly name: string;
  /** OpenMetrics family name (a counter's name without `_total`). */
  readonly familyName: string;
  help: string;
  readonly unit: string;
}

/** A Prometheus metric family: every OTel metric that maps to one exposed name. */
export interface MetricFamily extends FamilyHead {
  /** `info` only for `target_info`. */
  readonly type: Exclude<PrometheusType, 'summary'> | 'info';
  readonly members: FamilyMember[];
}

/** A summary family: every yardstick summary that maps to one exposed name (no OTel type; see metrics-core). */
export interface SummaryFamily extends FamilyHead {
  readonly type: 'summary';
  readonly members: Array<{ readonly metric: SummaryMetricData; readonly scopeLabels: ScopeLabels }>;
}

/** Any family of the exposition. */
export type ExpositionFamily = MetricFamily | SummaryFamily;

/** Options of {@link collectFamilies}. */
export interface FamilyOptions {
  readonly targetInfo: boolean;
  readonly scopeLabels: boolean;
  /** Reports a problem once per `key` for the life of the caller (not once per scrape). */
  readonly warnOnce: (key: string, message: string) => void;
}

function typeOf(metric: ExposableMetric): Exclude<PrometheusType, 'summary'> {
  if (
    metric.dataPointType === DataPointType.HISTOGRAM ||
    metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM
  ) {
    return 'histogram';
  }
  // Non-monotonic sums (up-down counters) are gauges, per the OTel specification.
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

const NO_SCOPE_LABELS: ScopeLabels = { text: '', pairs: [] };

/** Scope labels as rendered for a scope object, with the fields they were rendered from. */
interface RenderedScope extends ScopeLabels {
  readonly name: string;
  readonly version: string | undefined;
  readonly schemaUrl: string | undefined;
}

/**
 * For speed: collections hand over the same scope and descriptor objects scrape after scrape (the metrics
 * core and sdk-metrics keep one per meter and per stream), so their labels and names are worked out once
 * per object, checked against the fields they came from. measured (a render of 11 families, 1k series,
 * after a cache-evicting sweep): renaming every family and re-rendering every scope on each scrape was
 * ~5% of it.
 */
const scopeLabelsByScope = new WeakMap<InstrumentationScope, RenderedScope>();

/** The scope's labels (see `scopeLabelPairs`), rendered once per scope object. */
function scopeLabelsOf(scope: InstrumentationScope): ScopeLabels {
  const known = scopeLabelsByScope.get(scope);
  if (
    known !== undefined &&
    known.name === scope.name &&
    known.version === scope.version &&
    known.schemaUrl === scope.schemaUrl
  ) {
    return known;
  }
  const pairs = scopeLabelPairs(scope);
  const text = pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
  const rendered = { text, pairs, name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl };
  scopeLabelsByScope.set(scope, rendered);
  return rendered;
}

/** A metric's exposed names and sample names, with what they were derived from. */
interface Naming extends PrometheusName {
  readonly otelName: string;
  readonly otelUnit: string;
  readonly type: PrometheusType;
  readonly samples: readonly string[];
}

const namingByDescriptor = new WeakMap<object, Naming>();

/** {@link prometheusName} and the sample names, once per descriptor object (see `scopeLabelsByScope`). */
function namingOf(
  descriptor: { readonly name: string; readonly unit: string },
  type: PrometheusType,
): Naming {
  const known = namingByDescriptor.get(descriptor);
  if (
    known !== undefined &&
    known.otelName === descriptor.name &&
    known.otelUnit === descriptor.unit &&
    known.type === type
  ) {
    return known;
  }
  const { name, familyName, unit } = prometheusName(descriptor.name, descriptor.unit, type);
  const naming = {
    name,
    familyName,
    unit,
    otelName: descriptor.name,
    otelUnit: descriptor.unit,
    type,
    samples: sampleNames(name, type),
  };
  namingByDescriptor.set(descriptor, naming);
  return naming;
}

function byName(a: ExpositionFamily, b: ExpositionFamily): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The sample names a family writes: a histogram's `_bucket`, `_sum` and `_count`, a summary's own name,
 * `_sum` and `_count`, else its name.
 */
function sampleNames(name: string, type: PrometheusType | 'info'): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  return type === 'summary' ? [name, `${name}_sum`, `${name}_count`] : [name];
}

/** yardstick's summaries as metrics of their scopes, typed `summary`. */
function* summaryMetrics(
  summaries: readonly SummaryScopeMetrics[],
): Generator<{ scope: InstrumentationScope; metric: SummaryMetricData; type: PrometheusType }> {
  for (const { scope, metrics } of summaries) {
    for (const metric of metrics) yield { scope, metric, type: 'summary' };
  }
}

/** The OTel metrics of a collection with their scopes and Prometheus types. */
function* otelMetrics(
  resourceMetrics: ResourceMetrics,
): Generator<{ scope: InstrumentationScope; metric: ExposableMetric; type: PrometheusType }> {
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    for (const metric of metrics) yield { scope, metric, type: typeOf(metric) };
  }
}

/**
 * Builds the families of a collection, sorted by name. A metric whose name is already taken by a family of
 * another type, whose OpenMetrics family name clashes with another family's, or whose samples would carry
 * the name of another family's samples (a gauge `x_count` beside a histogram `x`, which parsers reject as
 * a second TYPE for `x`) is dropped with a warning, keeping the first one registered. Exponential
 * histograms are histogram families: text formats cannot carry native histograms, so the serializer writes
 * them as classic ones.
 */
export function collectFamilies(resourceMetrics: ResourceMetrics, options: FamilyOptions): MetricFamily[] {
  return collectExpositionFamilies(resourceMetrics, options, []) as MetricFamily[];
}

/** {@link collectFamilies} with yardstick's `summaries` as summary families beside the OTel metrics. */
export function collectExpositionFamilies(
  resourceMetrics: ResourceMetrics,
  options: FamilyOptions,
  summaries: readonly SummaryScopeMetrics[],
): ExpositionFamily[] {
  const byExposedName = new Map<string, ExpositionFamily>();
  const openMetricsNames = new Map<string, string>();
  // Sample name -> the exposed name of the family that writes it.
  const sampleOwners = new Map<string, string>();
  if (options.targetInfo) {
    const target: ExpositionFamily = {
      name: TARGET_INFO,
      familyName: TARGET_FAMILY,
      type: 'info',
      help: 'Target metadata',
      unit: '',
      members: [],
    };
    byExposedName.set(TARGET_INFO, target);
    openMetricsNames.set(TARGET_FAMILY, TARGET_INFO);
    sampleOwners.set(TARGET_INFO, TARGET_INFO);
  }
  for (const { scope, metric, type } of [...otelMetrics(resourceMetrics), ...summaryMetrics(summaries)]) {
    const scopeLabels = options.scopeLabels ? scopeLabelsOf(scope) : NO_SCOPE_LABELS;
    const { descriptor } = metric;
    const { name, familyName, unit, samples } = namingOf(descriptor, type);
    const existing = byExposedName.get(name);
    const familyOwner = openMetricsNames.get(familyName);
    const sampleClash = samples.some((sample) => {
      const owner = sampleOwners.get(sample);
      return owner !== undefined && owner !== name;
    });
    if (
      (existing && existing.type !== type) ||
      (familyOwner !== undefined && familyOwner !== name) ||
      sampleClash
    ) {
      options.warnOnce(
        `conflict:${name}:${type}`,
        `Prometheus exposition: metric "${descriptor.name}" (${type}) dropped; the name "${name}" is already used by another metric`,
      );
      continue;
    }
    if (existing) {
      // The specification keeps the points and drops all but one HELP and UNIT, with a warning.
      if (existing.help === '') existing.help = descriptor.description;
      else if (descriptor.description !== '' && descriptor.description !== existing.help) {
        options.warnOnce(
          `help:${name}`,
          `Prometheus exposition: metrics named "${name}" have different descriptions; HELP shows the first`,
        );
      }
      if (unit !== existing.unit) {
        options.warnOnce(
          `unit:${name}`,
          `Prometheus exposition: metrics named "${name}" have different units; UNIT shows the first ("${existing.unit}")`,
        );
      }
      // Same exposed name and type: the member is of the family's kind.
      (existing.members as Array<{ metric: unknown; scopeLabels: ScopeLabels }>).push({
        metric,
        scopeLabels,
      });
      continue;
    }
    byExposedName.set(name, {
      name,
      familyName,
      type,
      help: descriptor.description,
      unit,
      members: [{ metric, scopeLabels }],
    } as ExpositionFamily);
    openMetricsNames.set(familyName, name);
    for (const sample of samples) sampleOwners.set(sample, name);
  }
  return [...byExposedName.values()].sort(byName);
}
