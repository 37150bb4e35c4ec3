/**
 * `@yardstick/metrics-core`: yardstick's own OpenTelemetry metrics recording core. Instruments behind the
 * standard `@opentelemetry/api` meter API record into per-series cells found through an attribute trie (no
 * hashing, no allocation per call); readers collect in the OTel data model, cumulative or delta.
 * @packageDocumentation
 */

export { DEFAULT_HISTOGRAM_BOUNDARIES } from './aggregations/explicit-histogram.ts';
export type { ClassicBuckets } from './aggregations/exponential-classic-buckets.ts';
export { toClassicBuckets } from './aggregations/exponential-classic-buckets.ts';
export type {
  NativeBuckets,
  NativeSide,
  NativeSpan,
} from './aggregations/exponential-native-buckets.ts';
export { toNativeBuckets } from './aggregations/exponential-native-buckets.ts';
export type { HistogramAggregationDefault } from './aggregations/resolve-aggregation.ts';
export { LoopSlice } from './collection/loop-slice.ts';
export type { TemporalitySelector } from './collection/reader-slot.ts';
export { cumulativeTemporality } from './collection/reader-slot.ts';
export type { ExemplarFilter } from './exemplars/exemplar-filter.ts';
export { hrTimeToMillis, millisToHrTime } from './model/hr-time.ts';
export type {
  DataPoint,
  Exemplar,
  ExponentialHistogramMetricData,
  ExponentialHistogramValue,
  GaugeMetricData,
  HistogramMetricData,
  HistogramValue,
  InstrumentationScope,
  InstrumentKind,
  MetricData,
  MetricDescriptor,
  ScopeMetrics,
  SumMetricData,
} from './model/metric-data.ts';
export { DataPointType, Temporality } from './model/metric-data.ts';
export type { CoreMeterProviderOptions, CoreReader } from './provider/core-meter-provider.ts';
export { CoreMeterProvider } from './provider/core-meter-provider.ts';
export type {
  CoreCollection,
  InstrumentInfo,
  OverflowListener,
  StreamKind,
  StreamStats,
} from './provider/meter-registry.ts';
export { OVERFLOW_ATTRIBUTES } from './series/series-cell.ts';
export type { AttributePolicy } from './series/series-table.ts';
export type { Summary } from './summaries/summary.ts';
export { createSummary } from './summaries/summary.ts';
export type {
  SummaryDataPoint,
  SummaryMetricData,
  SummaryQuantile,
  SummaryScopeMetrics,
} from './summaries/summary-data.ts';
export type { SummaryOptions } from './summaries/summary-options.ts';
export { DEFAULT_SUMMARY_PERCENTILES } from './summaries/summary-options.ts';
export type { AggregationOption, CoreView } from './views/view.ts';
