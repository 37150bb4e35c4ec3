/**
 * Connects sdk-metrics `MetricReader`s (the Prometheus reader, the store reader, the OTLP readers, a user's
 * own) to the metrics core: each reads the core's data through a `MetricProducer`, in the temporality the
 * reader selects per instrument kind, so every reader works unchanged on top of the core.
 */
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  AggregationType,
  type InstrumentType,
  type MetricProducer,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import { type CoreMeterProvider, Temporality } from '@yardstick/metrics-core';

/** Options of `Telemetry.metricProducer()`. */
export interface CoreMetricProducerOptions {
  /**
   * The temporality of each instrument kind in the data produced (default cumulative for every kind).
   * A reader does not tell its extra producers what it selects, so give the exporter's choice here, e.g.
   * `(kind) => exporter.selectAggregationTemporality(kind)` for a delta OTLP exporter.
   */
  readonly aggregationTemporalitySelector?: AggregationTemporalitySelector | undefined;
  /** The aggregation of histograms no view configures (default: the core's, `metrics.histogramAggregation`). */
  readonly histogramAggregation?: 'explicit' | 'exponential' | undefined;
}

const cumulative: AggregationTemporalitySelector = () => AggregationTemporality.CUMULATIVE;

/**
 * A `MetricProducer` of everything recorded through `core`, with `resource`. It registers a reader on the
 * core for the core's lifetime: create one per reader (a delta producer shared by two readers would split
 * the deltas between them), before recording starts (a delta producer sees what arrives after it).
 */
export function createCoreMetricProducer(
  core: CoreMeterProvider,
  resource: Resource,
  options: CoreMetricProducerOptions = {},
): MetricProducer {
  const select = options.aggregationTemporalitySelector ?? cumulative;
  const coreReader = core.addReader(
    (kind) =>
      select(kind as InstrumentType) === AggregationTemporality.DELTA
        ? Temporality.DELTA
        : Temporality.CUMULATIVE,
    { histogramAggregation: options.histogramAggregation },
  );
  return {
    async collect(collectOptions) {
      const { scopeMetrics, errors } = await coreReader.collect(
        collectOptions?.timeoutMillis === undefined ? {} : { timeoutMillis: collectOptions.timeoutMillis },
      );
      // The core's data model is sdk-metrics' own (same fields and enum values); only the resource is added.
      return { resourceMetrics: { resource, scopeMetrics: scopeMetrics as never }, errors };
    },
  };
}

/** The readers connected to a core, flushed and shut down together. */
export interface ConnectedReaders {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Binds each reader to `core` (a reader can be bound once, as with an sdk-metrics `MeterProvider`), in the
 * temporality the reader selects. Register readers before recording starts: a delta reader sees only what
 * arrives after it was bound.
 */
export function connectReaders(
  core: CoreMeterProvider,
  readers: readonly MetricReader[],
  resource: Resource,
): ConnectedReaders {
  return bindReaders(readers, (options) => createCoreMetricProducer(core, resource, options));
}

/**
 * Binds each reader to the producer `produce` makes for it, with the temporality and histogram aggregation
 * the reader selects; the readers are then flushed and shut down together.
 */
export function bindReaders(
  readers: readonly MetricReader[],
  produce: (options: CoreMetricProducerOptions) => MetricProducer,
): ConnectedReaders {
  for (const reader of readers) {
    reader.setMetricProducer(
      produce({
        aggregationTemporalitySelector: (kind) => reader.selectAggregationTemporality(kind),
        histogramAggregation: histogramAggregationOf(reader),
      }),
    );
  }
  return {
    async forceFlush() {
      await Promise.all(readers.map((reader) => reader.forceFlush()));
    },
    async shutdown() {
      await Promise.all(readers.map((reader) => reader.shutdown()));
    },
  };
}

/**
 * The aggregation a reader asks for histograms no view configures (an OTLP exporter's
 * `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`, a reader's `aggregationSelector`), or undefined
 * for the core's default.
 */
function histogramAggregationOf(reader: MetricReader): 'explicit' | 'exponential' | undefined {
  const selected = reader.selectAggregation('HISTOGRAM' as InstrumentType).type;
  if (selected === AggregationType.EXPONENTIAL_HISTOGRAM) return 'exponential';
  if (selected === AggregationType.EXPLICIT_BUCKET_HISTOGRAM) return 'explicit';
  return undefined;
}
