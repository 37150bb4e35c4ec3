/**
 * The worker's side of cluster aggregation: every `cluster.reportIntervalMs` it collects its core
 * cumulatively (once per histogram aggregation the primary's readers use) and sends the totals to the
 * primary over the IPC channel; once more when the worker shuts down. At most one report is in flight: a
 * primary slow to read the channel makes reports rarer, never queued.
 */
import { type CoreMeterProvider, cumulativeTemporality } from '@yardstick/metrics-core';
import type { Logger } from '../logging/logger.ts';
import {
  type ClusterReportMessage,
  encodeClusterReport,
  type HistogramAggregationName,
  MAX_REPORT_CHARS,
} from './cluster-report.ts';

/** How long `stop()` waits for the final report to be written to the channel. */
const FINAL_REPORT_TIMEOUT_MS = 5_000;

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
  const warned = new Set<string>();
  const warnOnce = (key: string, fields: object, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn({ component: 'cluster', ...fields }, message);
  };

  let inFlight: Promise<void> | undefined;
  const send = async () => {
    try {
      const collections = await Promise.all(
        readers.map(async ([histogramAggregation, reader]) => ({
          histogramAggregation,
          scopeMetrics: (await reader.collect()).scopeMetrics,
        })),
      );
      const message = encodeClusterReport({ collections });
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
          if (error) warnOnce('send', { err: error }, 'cluster: sending a report to the primary failed');
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
