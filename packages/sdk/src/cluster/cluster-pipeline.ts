/**
 * What `startTelemetry()` does differently under `node:cluster` and `worker_threads`
 * (`cluster.mode: 'aggregate'`): in a cluster worker it reports to the primary (its own totals and its
 * threads'), in a worker thread to the main thread (and neither opens a port, runs a store, alerting or OTLP: `startTelemetry` asks
 * {@link clusterRoleOf}); in the primary's main thread its readers read the aggregate of every process and
 * thread. With `cluster.mode: 'off'` or yardstick disabled it connects readers as without a cluster.
 */
import cluster from 'node:cluster';
import { isMainThread, threadId } from 'node:worker_threads';
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
import { connectToMainThread } from './connect-to-main-thread.ts';
import { listenToThreads } from './listen-to-threads.ts';
import { listenToWorkers } from './listen-to-workers.ts';

/**
 * `thread` in a worker thread (it reports to its main thread), `worker` in the main thread of a
 * `node:cluster` worker, `primary` in the main thread of any other process (it may fork workers and start
 * threads at any time); undefined when cluster aggregation is off or yardstick is disabled.
 */
export type ClusterRole = 'primary' | 'worker' | 'thread' | undefined;

/**
 * This thread's role under `config`; `connect` (`connectTelemetry()`) asks for `thread` wherever it runs,
 * unless yardstick is disabled.
 */
export function clusterRoleOf(config: YardstickConfig, connect = false): ClusterRole {
  if (!config.enabled) return undefined;
  if (connect) return 'thread';
  if (config.cluster.mode === 'off') return undefined;
  // A thread's check comes first: the threads of a cluster worker see `cluster.isWorker` too.
  if (!isMainThread) return 'thread';
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

/**
 * Starts this process's part; see the module documentation. `cardinalityLimit` gives a metric's series limit
 * by exported name, which aggregates keep to as one process does. Never rejects.
 */
export async function startClusterPipeline(
  role: ClusterRole,
  core: CoreMeterProvider,
  resource: Resource,
  config: YardstickConfig,
  logger: Logger,
  cardinalityLimit: (name: string) => number,
): Promise<ClusterPipeline> {
  const local: Omit<ClusterPipeline, 'shutdown'> = {
    connectReaders: (readers) => connectReaders(core, readers, resource),
    metricProducer: (options) => createCoreMetricProducer(core, resource, options),
  };
  const newAggregator = () =>
    new ClusterAggregator({
      gauges: config.cluster.gauges,
      warn: (message) => logger.warn({ component: 'cluster' }, message),
      cardinalityLimit,
    });
  if (role === 'worker') {
    // The worker's threads report to it as to any main thread; its reports to the primary include them.
    const threads = newAggregator();
    const stopThreads = listenToThreads(threads, {
      histogramAggregations: primaryHistogramAggregations(config),
      reportIntervalMs: config.cluster.reportIntervalMs,
    });
    const reporter = startClusterReporter({
      core,
      histogramAggregations: primaryHistogramAggregations(config),
      intervalMs: config.cluster.reportIntervalMs,
      logger,
      threads,
    });
    logger.info(
      { worker: cluster.worker?.id, reportIntervalMs: config.cluster.reportIntervalMs },
      'yardstick: cluster worker, reporting to the primary (no telemetry server in workers)',
    );
    return {
      ...local,
      shutdown: async () => {
        await reporter.stop();
        stopThreads();
      },
    };
  }
  if (role === 'thread') {
    const connection = await connectToMainThread();
    if (!connection.ok) {
      logger.warn(
        { component: 'cluster', threadId, problem: connection.problem },
        `yardstick: no telemetry pipeline to report to (${connection.problem}): call startTelemetry() in the main thread; this worker thread records locally and nothing it records is exported`,
      );
      return { ...local, shutdown: async () => undefined };
    }
    const reporter = startClusterReporter({
      core,
      histogramAggregations: connection.welcome.histogramAggregations,
      intervalMs: connection.welcome.reportIntervalMs,
      logger,
      channel: connection.channel,
    });
    // A thread that ends by running out of work sends its last recordings; `shutdown()` does the same.
    const onBeforeExit = () => void reporter.stop();
    process.once('beforeExit', onBeforeExit);
    logger.debug(
      { threadId, reportIntervalMs: connection.welcome.reportIntervalMs },
      'yardstick: worker thread, reporting to the main thread (no telemetry server in threads)',
    );
    return {
      ...local,
      shutdown: () => {
        process.off('beforeExit', onBeforeExit);
        return reporter.stop();
      },
    };
  }
  if (role === 'primary') {
    const aggregator = newAggregator();
    const stopWorkers = listenToWorkers(aggregator);
    const stopThreads = listenToThreads(aggregator, {
      histogramAggregations: primaryHistogramAggregations(config),
      reportIntervalMs: config.cluster.reportIntervalMs,
    });
    const aggregation = config.metrics.histogramAggregation;
    return {
      connectReaders: (readers) => connectClusterReaders(core, readers, resource, aggregator, aggregation),
      metricProducer: (options) =>
        createClusterMetricProducer(core, resource, aggregator, aggregation, options),
      shutdown: async () => {
        stopWorkers();
        stopThreads();
      },
    };
  }
  return { ...local, shutdown: async () => undefined };
}
