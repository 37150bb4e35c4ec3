import type { Attributes, Meter } from '@opentelemetry/api';
/** One metric's figures, as the self-metrics report them. */
export interface SelfMetricRow {
  /** The instrument's name. */
  readonly name: string;
  readonly overflowMeasurements: number;
  readonly series: number;
  readonly capped: ReadonlyArray<{ readonly key: string; readonly measurements: number }>;
}

/**
 * OTel names of the views' own metrics. On `/metrics` they read `yardstick_cardinality_overflow_measurements_total`,
 * `yardstick_cardinality_series` and `yardstick_attribute_values_capped_total`.
 */
export const SELF_METRIC_NAMES = {
  overflowMeasurements: 'yardstick.cardinality.overflow.measurements',
  series: 'yardstick.cardinality.series',
  cappedValues: 'yardstick.attribute.values.capped',
} as const;

/**
 * Registers the self-metrics as observable instruments on `meter`: they are read at collection time, so
 * they add nothing to the recording path. An instrument created in several meters is summed under its name.
 */
export function registerSelfMetrics(meter: Meter, rows: () => Iterable<SelfMetricRow>): void {
  const overflow = meter.createObservableCounter(SELF_METRIC_NAMES.overflowMeasurements, {
    description:
      'Measurements recorded into the otel.metric.overflow series because the series limit was reached.',
  });
  const series = meter.createObservableGauge(SELF_METRIC_NAMES.series, {
    description: 'Distinct attribute sets holding a place under the series limit, per metric.',
  });
  const capped = meter.createObservableCounter(SELF_METRIC_NAMES.cappedValues, {
    description: 'Measurements whose attribute value was replaced because the key exceeded its value budget.',
  });
  // measured (CPU profile of a /metrics render through startTelemetry(), 11 instruments): one callback per
  // instrument walked the rows three times and was half of the core's collection; one batch callback
  // walks them once.
  meter.addBatchObservableCallback(
    (result) => {
      const overflowSums = new Map<string, number>();
      const seriesSums = new Map<string, number>();
      const cappedSums = new Map<string, { attributes: Attributes; measurements: number }>();
      for (const row of rows()) {
        overflowSums.set(row.name, (overflowSums.get(row.name) ?? 0) + row.overflowMeasurements);
        seriesSums.set(row.name, (seriesSums.get(row.name) ?? 0) + row.series);
        for (const { key, measurements } of row.capped) {
          const id = JSON.stringify([row.name, key]);
          const known = cappedSums.get(id);
          if (known === undefined)
            cappedSums.set(id, { attributes: { metric: row.name, key }, measurements });
          else known.measurements += measurements;
        }
      }
      for (const [metric, value] of overflowSums) result.observe(overflow, value, { metric });
      for (const [metric, value] of seriesSums) result.observe(series, value, { metric });
      for (const { attributes, measurements } of cappedSums.values())
        result.observe(capped, measurements, attributes);
    },
    [overflow, series, capped],
  );
}
