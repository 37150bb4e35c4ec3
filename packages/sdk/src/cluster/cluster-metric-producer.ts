/**
 * The primary's readers under `node:cluster`: each reads the primary's own core, as without a cluster, and
 * adds the workers' part of the aggregate, in its own temporality and histogram aggregation.
 */
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type InstrumentType,
  type MetricProducer,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  type CoreMeterProvider,
  DataPointType,
  type MetricData,
  type ScopeMetrics,
} from '@yardstick/metrics-core';
import {
  bindReaders,
  type ConnectedReaders,
  type CoreMetricProducerOptions,
  createCoreMetricProducer,
} from '../provider/core-readers.ts';
import type { ClusterAggregator } from './cluster-aggregator.ts';
import type { HistogramAggregationName } from './cluster-report.ts';
import { combineWithWorkers } from './combine-with-workers.ts';
import { CumulativeToDelta } from './cumulative-to-delta.ts';

/** The instrument kind a collected metric stands for, as temporality selectors take it. */
function kindOf(metric: MetricData): InstrumentType {
  if (metric.dataPointType === DataPointType.SUM) {
    return (metric.isMonotonic ? 'COUNTER' : 'UP_DOWN_COUNTER') as InstrumentType;
  }
  return (metric.dataPointType === DataPointType.GAUGE ? 'GAUGE' : 'HISTOGRAM') as InstrumentType;
}

/**
 * {@link createCoreMetricProducer} plus the workers' data of `aggregator`. Until a worker reports, it is
 * exactly the core's producer.
 */
export function createClusterMetricProducer(
  core: CoreMeterProvider,
  resource: Resource,
  aggregator: ClusterAggregator,
  defaultHistogramAggregation: HistogramAggregationName,
  options: CoreMetricProducerOptions = {},
): MetricProducer {
  const own = createCoreMetricProducer(core, resource, options);
  const select = options.aggregationTemporalitySelector;
  const histogramAggregation = options.histogramAggregation ?? defaultHistogramAggregation;
  const deltas = new CumulativeToDelta();
  const isDelta = (metric: MetricData) => select?.(kindOf(metric)) === AggregationTemporality.DELTA;
  return {
    async collect(collectOptions) {
      const collected = await own.collect(collectOptions);
      if (!aggregator.active) return collected;
      const workers = aggregator.aggregate(histogramAggregation);
      const scopeMetrics = combineWithWorkers(
        aggregator,
        // The core's data model is sdk-metrics' own (see createCoreMetricProducer).
        collected.resourceMetrics.scopeMetrics as unknown as ScopeMetrics[],
        { totals: deltas.convert(workers.totals, isDelta), gauges: workers.gauges },
      );
      return {
        resourceMetrics: {
          resource: collected.resourceMetrics.resource,
          scopeMetrics: scopeMetrics as never,
        },
        errors: collected.errors,
      };
    },
  };
}

/** `connectReaders` for the primary of a cluster: every reader also reads the workers' data. */
export function connectClusterReaders(
  core: CoreMeterProvider,
  readers: readonly MetricReader[],
  resource: Resource,
  aggregator: ClusterAggregator,
  defaultHistogramAggregation: HistogramAggregationName,
): ConnectedReaders {
  return bindReaders(readers, (options) =>
    createClusterMetricProducer(core, resource, aggregator, defaultHistogramAggregation, options),
  );
}
