/**
 * The collected form of yardstick's summaries. Not part of the OTel SDK data model (sdk-metrics has no
 * summary point, so no sdk-metrics reader or OTLP exporter receives them): the shape follows the OTel data
 * model's legacy `SummaryDataPoint` (count, sum, quantile values), which exists for Prometheus summaries.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '../model/metric-data.ts';

/** One quantile of a summary point: `value` is the `quantile`-quantile of the window's values. */
export interface SummaryQuantile {
  readonly quantile: number;
  /** NaN when the window holds no value. */
  readonly value: number;
}

/** One series of a summary. */
export interface SummaryDataPoint {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  /** Values recorded since the series started (not only those in the window). */
  readonly count: number;
  /** Their sum. */
  readonly sum: number;
  /** The configured quantiles over the sliding window, ascending. */
  readonly quantiles: readonly SummaryQuantile[];
  /**
   * The bound on the relative error of the quantile values (0.011 means each is within 1.1% of the true
   * value at its rank); 0 when the window is empty.
   */
  readonly relativeError: number;
}

/** A summary and its series. */
export interface SummaryMetricData {
  readonly descriptor: { readonly name: string; readonly description: string; readonly unit: string };
  readonly dataPoints: SummaryDataPoint[];
}

/** The summaries of one meter. */
export interface SummaryScopeMetrics {
  readonly scope: InstrumentationScope;
  readonly metrics: SummaryMetricData[];
}
