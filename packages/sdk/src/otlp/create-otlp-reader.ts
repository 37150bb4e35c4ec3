/**
 * OTLP/HTTP push: a `PeriodicExportingMetricReader` around the OTel OTLP exporter (JSON or protobuf).
 * Retries are the exporter's own (exponential backoff on 429/502/503/504 and network errors, bounded by the
 * export timeout). Memory stays bounded while a collector is down: with cumulative temporality each export
 * is a snapshot of current state, and the exporter keeps at most `concurrencyLimit` requests in flight.
 */
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as OtlpJsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  AggregationType,
  InstrumentType,
  type MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

/** What the OTLP reader needs from the config. */
export interface OtlpReaderOptions {
  /** The full metrics URL, e.g. `http://127.0.0.1:4318/v1/metrics`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly temporality: 'cumulative' | 'delta';
  readonly compression: 'gzip' | 'none';
  readonly exportIntervalMs: number;
  readonly exportTimeoutMs: number;
  /** Aggregation of histograms no view configures (default explicit buckets). */
  readonly histogramAggregation?: 'explicit' | 'exponential' | undefined;
}

/** In-flight export requests allowed while the collector is slow or down; later ones fail fast. */
const MAX_IN_FLIGHT_EXPORTS = 4;

/** Creates the periodic OTLP reader. */
export function createOtlpReader(options: OtlpReaderOptions): MetricReader {
  const exporterOptions = {
    url: options.url,
    headers: { ...options.headers },
    timeoutMillis: options.exportTimeoutMs,
    concurrencyLimit: MAX_IN_FLIGHT_EXPORTS,
    compression: options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    // Read by the metrics core when it binds the reader: histograms without a view follow it.
    aggregationPreference: (type: InstrumentType) =>
      options.histogramAggregation === 'exponential' && type === InstrumentType.HISTOGRAM
        ? { type: AggregationType.EXPONENTIAL_HISTOGRAM as const }
        : { type: AggregationType.DEFAULT as const },
    temporalityPreference:
      options.temporality === 'delta'
        ? AggregationTemporalityPreference.DELTA
        : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter =
    options.protocol === 'http/json'
      ? new OtlpJsonExporter(exporterOptions)
      : new OtlpProtoExporter(exporterOptions);
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: options.exportIntervalMs,
    // The reader's timeout must not exceed its interval (the SDK enforces this).
    exportTimeoutMillis: Math.min(options.exportTimeoutMs, options.exportIntervalMs),
  });
}
