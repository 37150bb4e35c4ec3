/**
 * The main thread's side of worker-thread aggregation: it answers every thread's hello (see
 * `thread-handshake.ts`), feeds the reports arriving on that thread's port to the aggregator, and retires
 * the thread when the port closes (the thread exited or was terminated). A port delivers every message
 * posted before it closed, so a thread's final report is taken before its totals are retired.
 */
import type { MessagePort } from 'node:worker_threads';
import { acceptReportMessage } from './accept-report.ts';
import type { ClusterAggregator } from './cluster-aggregator.ts';
import type { HistogramAggregationName } from './cluster-report.ts';
import {
  isThreadHello,
  THREAD_HANDSHAKE_VERSION,
  THREAD_WELCOME_TAG,
  type ThreadHello,
  type ThreadWelcome,
} from './thread-handshake.ts';

/** Hellos already answered: with several pipelines in the main thread, the earliest listening one takes it. */
const claimed = new WeakSet<ThreadHello>();

/** The aggregator's name for thread `threadId` (the `worker` label under the `worker` gauge policy). */
function threadProcessName(threadId: number): string {
  return `thread-${threadId}`;
}

/** What the main thread tells its threads. */
export interface ThreadReporting {
  readonly histogramAggregations: readonly HistogramAggregationName[];
  readonly reportIntervalMs: number;
}

/** Feeds `aggregator` from the worker threads of this process; returns a function that stops listening. */
export function listenToThreads(aggregator: ClusterAggregator, reporting: ThreadReporting): () => void {
  const ports = new Set<MessagePort>();
  const welcome: ThreadWelcome = {
    yardstick: THREAD_WELCOME_TAG,
    version: THREAD_HANDSHAKE_VERSION,
    histogramAggregations: [...reporting.histogramAggregations],
    reportIntervalMs: reporting.reportIntervalMs,
  };
  const onWorkerMessage = (value: unknown, source: number) => {
    if (!isThreadHello(value) || claimed.has(value)) return;
    claimed.add(value);
    const name = threadProcessName(source);
    const description = `worker thread ${source}`;
    const { port } = value;
    ports.add(port);
    port.on('message', (message: unknown) => acceptReportMessage(aggregator, name, description, message));
    port.once('close', () => {
      ports.delete(port);
      aggregator.retire(name);
    });
    // A thread's port never keeps the main thread alive.
    port.unref();
    port.postMessage(welcome);
  };
  process.on('workerMessage', onWorkerMessage);
  return () => {
    process.off('workerMessage', onWorkerMessage);
    for (const port of ports) port.close();
  };
}
