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

function sumBy(entries: Iterable<readonly [string, number]>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [key, value] of entries) sums.set(key, (sums.get(key) ?? 0) + value);
  return sums;
}

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
  overflow.addCallback((result) => {
    const sums = sumBy([...rows()].map((r) => [r.name, r.overflowMeasurements] as const));
    for (const [metric, value] of sums) result.observe(value, { metric });
  });
  series.addCallback((result) => {
    const sums = sumBy([...rows()].map((r) => [r.name, r.series] as const));
    for (const [metric, value] of sums) result.observe(value, { metric });
  });
  capped.addCallback((result) => {
    const labels = new Map<string, Attributes>();
    const entries: Array<readonly [string, number]> = [];
    for (const row of rows()) {
      for (const { key, measurements } of row.capped) {
        const id = JSON.stringify([row.name, key]);
        labels.set(id, { metric: row.name, key });
        entries.push([id, measurements]);
      }
    }
    for (const [id, value] of sumBy(entries)) result.observe(value, labels.get(id));
  });
}
