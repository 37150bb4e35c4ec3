/**
 * Connects sdk-metrics `MetricReader`s (the Prometheus reader, the store reader, the OTLP readers, a user's
 * own) to the metrics core: each reads the core's data through a `MetricProducer`, in the temporality the
 * reader selects per instrument kind, so every reader works unchanged on top of the core.
 */
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, type InstrumentType, type MetricReader } from '@opentelemetry/sdk-metrics';
import { type CoreMeterProvider, Temporality } from '@yardstick/metrics-core';

/** The readers connected to a core, flushed and shut down together. */
export interface ConnectedReaders {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Binds each reader to `core` (a reader can be bound once, as with an sdk-metrics `MeterProvider`).
 * Register readers before recording starts: a delta reader sees only what arrives after it was bound.
 */
export function connectReaders(
  core: CoreMeterProvider,
  readers: readonly MetricReader[],
  resource: Resource,
): ConnectedReaders {
  for (const reader of readers) {
    const coreReader = core.addReader((kind) =>
      reader.selectAggregationTemporality(kind as InstrumentType) === AggregationTemporality.DELTA
        ? Temporality.DELTA
        : Temporality.CUMULATIVE,
    );
    reader.setMetricProducer({
      async collect(options) {
        const { scopeMetrics, errors } = await coreReader.collect(
          options?.timeoutMillis === undefined ? {} : { timeoutMillis: options.timeoutMillis },
        );
        // The core's data model is sdk-metrics' own (same fields and enum values); only the resource is added.
        return { resourceMetrics: { resource, scopeMetrics: scopeMetrics as never }, errors };
      },
    });
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
