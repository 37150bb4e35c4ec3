/**
 * The data the core exports: the OpenTelemetry metrics data model, shaped exactly like
 * `@opentelemetry/sdk-metrics`'s `ScopeMetrics` / `MetricData` (same field names, same enum values), so an
 * sdk-metrics `MetricReader` or exporter takes it without conversion; only the resource is added by the
 * adapter. The core itself does not depend on sdk-metrics.
 *
 * One field is the core's own: a data point may carry `exemplars` ({@link Exemplar}), which sdk-metrics'
 * data model lacks. sdk-metrics readers and exporters ignore it (its OTLP transformer sends no exemplars);
 * yardstick's OpenMetrics exposition and embedded store read it.
 */
import type { Attributes, HrTime, ValueType } from '@opentelemetry/api';

/** `AggregationTemporality` of sdk-metrics (same values). */
export const Temporality = { DELTA: 0, CUMULATIVE: 1 } as const;
/** Either value of {@link Temporality}. */
export type Temporality = (typeof Temporality)[keyof typeof Temporality];

/** `DataPointType` of sdk-metrics (same values). */
export const DataPointType = { HISTOGRAM: 0, EXPONENTIAL_HISTOGRAM: 1, GAUGE: 2, SUM: 3 } as const;
/** Either value of {@link DataPointType}. */
export type DataPointType = (typeof DataPointType)[keyof typeof DataPointType];

/** `InstrumentType` of sdk-metrics (same string values). */
export type InstrumentKind =
  | 'COUNTER'
  | 'GAUGE'
  | 'HISTOGRAM'
  | 'UP_DOWN_COUNTER'
  | 'OBSERVABLE_COUNTER'
  | 'OBSERVABLE_GAUGE'
  | 'OBSERVABLE_UP_DOWN_COUNTER';

/** Name, description, unit and value type of an exported metric (after views). */
export interface MetricDescriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: ValueType;
}

/**
 * A measurement kept as an exemplar of a data point (OTel data model `Exemplar`): its value, when it was
 * recorded, and the trace and span it was recorded in (absent when there was no valid span, which only the
 * `always_on` filter lets through).
 */
export interface Exemplar {
  readonly value: number;
  /** Epoch milliseconds. */
  readonly timeUnixMs: number;
  /** 32 lowercase hex digits. */
  readonly traceId?: string;
  /** 16 lowercase hex digits. */
  readonly spanId?: string;
  /**
   * The measurement's attributes the series does not keep. Always empty here: attribute policies (redaction,
   * value budgets) rewrite a set once, and what they remove must not come back through exemplars.
   */
  readonly filteredAttributes: Attributes;
}

/** One series' value over `[startTime, endTime]`. */
export interface DataPoint<T> {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly value: T;
  /**
   * Exemplars recorded within `[startTime, endTime]`, oldest first; absent when there are none. Not a field
   * of sdk-metrics' `DataPoint` (see the file comment).
   */
  readonly exemplars?: Exemplar[];
}

/** An explicit-bucket histogram point: `counts[i]` counts values in `(boundaries[i-1], boundaries[i]]`. */
export interface HistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
  min?: number;
  max?: number;
}

/** A base-2 exponential histogram point (OTel data model). */
export interface ExponentialHistogramValue {
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
  min?: number;
  max?: number;
}

interface BaseMetricData {
  readonly descriptor: MetricDescriptor;
  readonly aggregationTemporality: Temporality;
}

/** A sum (counter, up-down counter and their observable forms). */
export interface SumMetricData extends BaseMetricData {
  readonly dataPointType: typeof DataPointType.SUM;
  readonly dataPoints: DataPoint<number>[];
  readonly isMonotonic: boolean;
}

/** A gauge (last value). */
export interface GaugeMetricData extends BaseMetricData {
  readonly dataPointType: typeof DataPointType.GAUGE;
  readonly dataPoints: DataPoint<number>[];
}

/** An explicit-bucket histogram. */
export interface HistogramMetricData extends BaseMetricData {
  readonly dataPointType: typeof DataPointType.HISTOGRAM;
  readonly dataPoints: DataPoint<HistogramValue>[];
}

/** A base-2 exponential histogram. */
export interface ExponentialHistogramMetricData extends BaseMetricData {
  readonly dataPointType: typeof DataPointType.EXPONENTIAL_HISTOGRAM;
  readonly dataPoints: DataPoint<ExponentialHistogramValue>[];
}

/** Any exported metric. */
export type MetricData =
  | SumMetricData
  | GaugeMetricData
  | HistogramMetricData
  | ExponentialHistogramMetricData;

/** The instrumentation scope (meter) that created the instruments. */
export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** The metrics of one meter. */
export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: MetricData[];
}
