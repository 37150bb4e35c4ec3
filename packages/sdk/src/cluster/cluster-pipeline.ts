/**
 * What `startTelemetry()` does differently under `node:cluster` (`cluster.mode: 'aggregate'`): in a worker
 * it reports to the primary (and opens no port, runs no store, alerting or OTLP: `startTelemetry` asks
 * {@link clusterRoleOf}); in the primary its readers read the aggregate of every process. With
 * `cluster.mode: 'off'` or yardstick disabled it connects readers as without a cluster.
 */
import cluster from 'node:cluster';
import type { Resource } from '@opentelemetry/resources';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { CoreMeterProvider } from '@yardstick/metrics-core';
import type { YardstickConfig } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import {
  type ConnectedReaders,
  type CoreMetricProducerOptions,
  connectReaders,
  createCoreMetricProducer,
} from '../provider/core-readers.ts';
import { ClusterAggregator } from './cluster-aggregator.ts';
import { connectClusterReaders, createClusterMetricProducer } from './cluster-metric-producer.ts';
import type { HistogramAggregationName } from './cluster-report.ts';
import { startClusterReporter } from './cluster-reporter.ts';
import { listenToWorkers } from './listen-to-workers.ts';

/**
 * `worker` in a `node:cluster` worker, `primary` in any other process (it may fork workers at any time);
 * undefined when cluster aggregation is off or yardstick is disabled.
 */
export type ClusterRole = 'primary' | 'worker' | undefined;

/** This process's role under `config`. */
export function clusterRoleOf(config: YardstickConfig): ClusterRole {
  if (!config.enabled || config.cluster.mode === 'off') return undefined;
  return cluster.isWorker ? 'worker' : 'primary';
}

/** How a process connects its readers and producers, and what it stops on shutdown. */
export interface ClusterPipeline {
  connectReaders(readers: readonly MetricReader[]): ConnectedReaders;
  metricProducer(options?: CoreMetricProducerOptions): MetricProducer;
  /** Sends a worker's final report; stops a primary listening. Never rejects. */
  shutdown(): Promise<void>;
}

/**
 * The histogram aggregations the primary's own readers use, as a worker derives them from its config
 * (primary and workers load the same config when they run the same script in the same environment).
 */
function primaryHistogramAggregations(config: YardstickConfig): HistogramAggregationName[] {
  const aggregations = new Set<HistogramAggregationName>([config.metrics.histogramAggregation]);
  if (config.otlp.enabled && config.otlp.histogramAggregation !== undefined) {
    aggregations.add(
      config.otlp.histogramAggregation === 'base2_exponential_bucket_histogram' ? 'exponential' : 'explicit',
    );
  }
  return [...aggregations];
}

/** Starts this process's part; see the module documentation. */
export function startClusterPipeline(
  role: ClusterRole,
  core: CoreMeterProvider,
  resource: Resource,
  config: YardstickConfig,
  logger: Logger,
): ClusterPipeline {
  const local: Omit<ClusterPipeline, 'shutdown'> = {
    connectReaders: (readers) => connectReaders(core, readers, resource),
    metricProducer: (options) => createCoreMetricProducer(core, resource, options),
  };
  if (role === 'worker') {
    const reporter = startClusterReporter({
      core,
      histogramAggregations: primaryHistogramAggregations(config),
      intervalMs: config.cluster.reportIntervalMs,
      logger,
    });
    logger.info(
      { worker: cluster.worker?.id, reportIntervalMs: config.cluster.reportIntervalMs },
      'yardstick: cluster worker, reporting to the primary (no telemetry server in workers)',
    );
    return { ...local, shutdown: () => reporter.stop() };
  }
  if (role === 'primary') {
    const aggregator = new ClusterAggregator({
      gauges: config.cluster.gauges,
      warn: (message) => logger.warn({ component: 'cluster' }, message),
    });
    const stopListening = listenToWorkers(aggregator);
    const aggregation = config.metrics.histogramAggregation;
    return {
      connectReaders: (readers) => connectClusterReaders(core, readers, resource, aggregator, aggregation),
      metricProducer: (options) =>
        createClusterMetricProducer(core, resource, aggregator, aggregation, options),
      shutdown: async () => stopListening(),
    };
  }
  return { ...local, shutdown: async () => undefined };
}
