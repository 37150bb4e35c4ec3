/**
 * The worker's side of cluster aggregation: every `cluster.reportIntervalMs` it collects its core
 * cumulatively (once per histogram aggregation the primary's readers use), adds its worker threads' totals,
 * and sends the totals to the
 * primary over the IPC channel; once more when the worker shuts down. At most one report is in flight: a
 * primary slow to read the channel makes reports rarer, never queued.
 *
 * IPC traffic follows what changed, not what exists: a report carries only the series whose cumulative
 * values changed since the previous report, and none is sent when nothing changed. A report is full (every
 * series) when it is the first, when the previous one was not delivered, when a series has disappeared since
 * the previous one (a partial report cannot say so), and every {@link FULL_REPORT_EVERY}th time, so that a
 * primary that refused one report catches up.
 */
import {
  type CoreMeterProvider,
  cumulativeTemporality,
  type DataPoint,
  DataPointType,
  type ExponentialHistogramValue,
  type HistogramValue,
  type MetricData,
  type ScopeMetrics,
} from '@yardstick/metrics-core';
import type { Logger } from '../logging/logger.ts';
import type { ClusterAggregator } from './cluster-aggregator.ts';
import {
  type ClusterReportMessage,
  encodeClusterReport,
  type HistogramAggregationName,
  MAX_REPORT_CHARS,
  type ReportedCollection,
} from './cluster-report.ts';
import { combineWithWorkers } from './combine-with-workers.ts';
import { attributesKey, metricKey } from './metric-index.ts';

/** How long `stop()` waits for the final report to be written to the channel. */
const FINAL_REPORT_TIMEOUT_MS = 5_000;

/** Every this many reports (or attempts with nothing to send), one is full. */
export const FULL_REPORT_EVERY = 60;

/**
 * What identifies a series' cumulative state: its start time and value. A histogram's count and sum stand
 * for its buckets, which cannot change without the count. Kept as a short string per series: comparing
 * strings is cheaper than walking bucket arrays, and the map holds no collected objects alive.
 */
function fingerprint(type: DataPointType, point: DataPoint<unknown>): string {
  const start = `${point.startTime[0]}.${point.startTime[1]}`;
  if (type === DataPointType.SUM || type === DataPointType.GAUGE) return `${start}:${String(point.value)}`;
  const histogram = point.value as HistogramValue | ExponentialHistogramValue;
  return `${start}:${histogram.count}:${String(histogram.sum)}`;
}

/** A collection cut down to the series whose fingerprints are not in `sent`, and the fingerprints of all. */
function changedSince(
  collection: ReportedCollection,
  sent: ReadonlyMap<string, string> | undefined,
  fingerprints: Map<string, string>,
): ReportedCollection {
  const scopeMetrics: ScopeMetrics[] = [];
  for (const { scope, metrics } of collection.scopeMetrics) {
    const changedMetrics: MetricData[] = [];
    for (const metric of metrics) {
      const prefix = `${collection.histogramAggregation}\u0000${metricKey(scope, metric.descriptor.name)}\u0000`;
      const changed = (metric.dataPoints as DataPoint<unknown>[]).filter((point) => {
        const key = prefix + attributesKey(point.attributes);
        const now = fingerprint(metric.dataPointType, point);
        fingerprints.set(key, now);
        return sent?.get(key) !== now;
      });
      if (changed.length > 0) changedMetrics.push({ ...metric, dataPoints: changed } as MetricData);
    }
    if (changedMetrics.length > 0) scopeMetrics.push({ scope, metrics: changedMetrics });
  }
  return { histogramAggregation: collection.histogramAggregation, scopeMetrics };
}

/** Whether every key of `sent` is still in `fingerprints`. */
function noneDisappeared(sent: ReadonlyMap<string, string>, fingerprints: ReadonlyMap<string, string>) {
  if (fingerprints.size < sent.size) return false;
  for (const key of sent.keys()) if (!fingerprints.has(key)) return false;
  return true;
}

/** The IPC channel to the primary (the worker's `process` by default). */
export interface ReportChannel {
  /** Whether the channel is open. */
  readonly connected: boolean;
  /** Sends `message`; `callback` runs once it is written (or failed). */
  send(message: ClusterReportMessage, callback: (error: Error | null) => void): void;
  /** Calls `listener` once the channel closes; returns a function that removes it. */
  onDisconnect(listener: () => void): () => void;
}

/** Options of {@link startClusterReporter}. */
export interface ClusterReporterOptions {
  readonly core: CoreMeterProvider;
  /** The histogram aggregations the primary's readers use; one cumulative reader of `core` each. */
  readonly histogramAggregations: readonly HistogramAggregationName[];
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Default: this process's IPC channel. */
  readonly channel?: ReportChannel | undefined;
  /**
   * The worker threads of this process, whose totals the reports include (a cluster worker's threads reach
   * the primary through their process's reports).
   */
  readonly threads?: ClusterAggregator | undefined;
}

/** A running reporter. */
export interface ClusterReporter {
  /** Sends a report now (or joins the one in flight). Never rejects. */
  report(): Promise<void>;
  /** Stops the interval and sends the final report. Idempotent. Never rejects. */
  stop(): Promise<void>;
}

function processChannel(): ReportChannel {
  return {
    get connected() {
      return process.connected === true && process.send !== undefined;
    },
    send(message, callback) {
      process.send?.(message, undefined, {}, callback);
    },
    onDisconnect(listener) {
      process.once('disconnect', listener);
      return () => process.off('disconnect', listener);
    },
  };
}

/**
 * Starts reporting. Call it before instruments are created: its readers of `core` see histograms created
 * after them.
 */
export function startClusterReporter(options: ClusterReporterOptions): ClusterReporter {
  const { core, logger, intervalMs } = options;
  const channel = options.channel ?? processChannel();
  const readers = options.histogramAggregations.map(
    (histogramAggregation) =>
      [histogramAggregation, core.addReader(cumulativeTemporality, { histogramAggregation })] as const,
  );
  const { threads } = options;
  const withThreads = (aggregation: HistogramAggregationName, own: ScopeMetrics[]) =>
    threads?.active === true ? combineWithWorkers(threads, own, threads.aggregate(aggregation)) : own;
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: object, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn({ component: 'cluster', ...fields }, message);
  };

  let inFlight: Promise<void> | undefined;
  /** The fingerprints of the last delivered report's series; undefined: the next report is full. */
  let delivered: Map<string, string> | undefined;
  let sequence = 0;
  let sinceFull = 0;
  const send = async () => {
    // Until this report is delivered, the next one is full.
    const sent = delivered;
    delivered = undefined;
    try {
      const collected = await Promise.all(
        readers.map(async ([histogramAggregation, reader]) => ({
          histogramAggregation,
          scopeMetrics: withThreads(histogramAggregation, (await reader.collect()).scopeMetrics),
        })),
      );
      const fingerprints = new Map<string, string>();
      const partial = sent !== undefined && sinceFull + 1 < FULL_REPORT_EVERY;
      let collections = collected.map((collection) =>
        changedSince(collection, partial ? sent : undefined, fingerprints),
      );
      const full = !partial || !noneDisappeared(sent, fingerprints);
      if (full) collections = collected;
      if (!full && collections.every((collection) => collection.scopeMetrics.length === 0)) {
        // Nothing changed: nothing to send, and the primary's view is still the delivered one.
        sinceFull++;
        delivered = sent;
        return;
      }
      sequence++;
      const message = encodeClusterReport({ collections, sequence, full });
      if (message.body.length > MAX_REPORT_CHARS) {
        warnOnce(
          'size',
          { chars: message.body.length, max: MAX_REPORT_CHARS },
          'cluster: this worker has too many series to report to the primary; its reports are not sent (lower the cardinality limits)',
        );
        return;
      }
      if (!channel.connected) return;
      await new Promise<void>((resolve) => {
        channel.send(message, (error) => {
          if (error) {
            warnOnce('send', { err: error }, 'cluster: sending a report to the primary failed');
          } else {
            delivered = fingerprints;
            sinceFull = full ? 0 : sinceFull + 1;
          }
          resolve();
        });
      });
    } catch (error) {
      warnOnce('send', { err: error }, 'cluster: sending a report to the primary failed');
    }
  };
  const report = () => {
    inFlight ??= send().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const timer = setInterval(() => void report(), intervalMs);
  // Reporting never keeps a worker alive.
  timer.unref();
  const removeListener = channel.onDisconnect(() => clearInterval(timer));
  let stopping: Promise<void> | undefined;
  return {
    report,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        removeListener();
        await inFlight;
        let timeout: NodeJS.Timeout | undefined;
        await Promise.race([
          report(),
          new Promise<void>((resolve) => {
            timeout = setTimeout(resolve, FINAL_REPORT_TIMEOUT_MS);
            timeout.unref();
          }),
        ]);
        clearTimeout(timeout);
      })();
      return stopping;
    },
  };
}
