/**
 * OTLP push: a `PeriodicExportingMetricReader` around the OTel OTLP exporter (protobuf or JSON over HTTP, or
 * gRPC). Retries are the exporter's own (exponential backoff on 429/502/503/504 and network errors, or the
 * retryable gRPC codes, bounded by the export timeout). Memory stays bounded while a collector is down: with
 * cumulative temporality each export is a snapshot of current state, and the exporter keeps at most
 * `concurrencyLimit` requests in flight.
 */
import { Metadata } from '@grpc/grpc-js';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporterBase,
  type OTLPMetricExporterOptions,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  convertLegacyOtlpGrpcOptions,
  createOtlpGrpcExportDelegate,
  type OTLPGRPCExporterConfigNode,
} from '@opentelemetry/otlp-grpc-exporter-base';
import { MetricsExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import {
  AggregationType,
  InstrumentType,
  type MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { jsonExemplarSerializer, protobufExemplarSerializer } from './exemplar-serializer.ts';

/** What the OTLP reader needs from the config. */
export interface OtlpReaderOptions {
  /** The full metrics URL for HTTP, e.g. `http://127.0.0.1:4318/v1/metrics`; for gRPC only its origin counts. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: 'http/protobuf' | 'http/json' | 'grpc';
  readonly temporality: 'cumulative' | 'delta' | 'lowmemory';
  readonly compression: 'gzip' | 'none';
  readonly exportIntervalMs: number;
  readonly exportTimeoutMs: number;
  /** Aggregation of histograms no view configures (default explicit buckets). */
  readonly histogramAggregation?: 'explicit' | 'exponential' | undefined;
}

/**
 * OTel's OTLP/HTTP metric exporter (its transport, retries, compression and environment handling) with a
 * serializer that also writes the metrics core's exemplars, which OTel's own exporters leave out.
 */
class ExemplarOtlpHttpExporter extends OTLPMetricExporterBase {
  constructor(config: OTLPExporterNodeConfigBase & OTLPMetricExporterOptions, encoding: 'json' | 'protobuf') {
    const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'METRICS', 'v1/metrics', { 'Content-Type': contentType }),
        encoding === 'json' ? jsonExemplarSerializer : protobufExemplarSerializer,
        'otlp_http_metric_exporter',
        MetricsExporterMetricsHelper,
        undefined,
      ),
      config,
    );
  }
}

/** OTel's OTLP/gRPC metric exporter, as its own package builds it, with the exemplar serializer. */
class ExemplarOtlpGrpcExporter extends OTLPMetricExporterBase {
  constructor(config: OTLPGRPCExporterConfigNode & OTLPMetricExporterOptions) {
    super(
      createOtlpGrpcExportDelegate(
        convertLegacyOtlpGrpcOptions(config, 'METRICS'),
        protobufExemplarSerializer,
        'otlp_grpc_metric_exporter',
        MetricsExporterMetricsHelper,
        undefined,
        'MetricsExportService',
        '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      ),
      config,
    );
  }
}

/** In-flight export requests allowed while the collector is slow or down; later ones fail fast. */
const MAX_IN_FLIGHT_EXPORTS = 4;

const TEMPORALITY = {
  cumulative: AggregationTemporalityPreference.CUMULATIVE,
  delta: AggregationTemporalityPreference.DELTA,
  lowmemory: AggregationTemporalityPreference.LOWMEMORY,
} as const;

/** Creates the periodic OTLP reader. */
export function createOtlpReader(options: OtlpReaderOptions): MetricReader {
  const common = {
    timeoutMillis: options.exportTimeoutMs,
    concurrencyLimit: MAX_IN_FLIGHT_EXPORTS,
    compression: options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    // Read by the metrics core when it binds the reader: histograms without a view follow it.
    aggregationPreference: (type: InstrumentType) =>
      options.histogramAggregation === 'exponential' && type === InstrumentType.HISTOGRAM
        ? { type: AggregationType.EXPONENTIAL_HISTOGRAM as const }
        : { type: AggregationType.DEFAULT as const },
    // The exporter answers the reader's selectAggregationTemporality per instrument kind, which the core reads.
    temporalityPreference: TEMPORALITY[options.temporality],
  };
  let exporter: ExemplarOtlpGrpcExporter | ExemplarOtlpHttpExporter;
  if (options.protocol === 'grpc') {
    // gRPC sends headers as call metadata; the service path is fixed, so a base endpoint's path is dropped.
    const metadata = new Metadata();
    for (const [name, value] of Object.entries(options.headers)) metadata.set(name, value);
    exporter = new ExemplarOtlpGrpcExporter({ ...common, url: new URL(options.url).origin, metadata });
  } else {
    const httpOptions = { ...common, url: options.url, headers: { ...options.headers } };
    exporter = new ExemplarOtlpHttpExporter(
      httpOptions,
      options.protocol === 'http/json' ? 'json' : 'protobuf',
    );
  }
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: options.exportIntervalMs,
    // The reader's timeout must not exceed its interval (the SDK enforces this).
    exportTimeoutMillis: Math.min(options.exportTimeoutMs, options.exportIntervalMs),
  });
}
