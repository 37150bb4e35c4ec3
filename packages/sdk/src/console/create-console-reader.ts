/**
 * The console exporter for development (`OTEL_METRICS_EXPORTER=console`, `console.enabled`): sdk-metrics'
 * `ConsoleMetricExporter` on a periodic reader, printing each metric's descriptor and data points to stdout.
 */
import {
  ConsoleMetricExporter,
  type MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

/** Creates the periodic console reader, printing every `exportIntervalMs` and at shutdown. */
export function createConsoleReader(options: { readonly exportIntervalMs: number }): MetricReader {
  return new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: options.exportIntervalMs,
    exportTimeoutMillis: Math.min(30_000, options.exportIntervalMs),
  });
}
