/**
 * The primary's side of the IPC channel: reports of its workers go to the aggregator, and a worker whose
 * channel closes (it exited, crashed or disconnected) is retired. Retiring on `disconnect` rather than `exit`
 * keeps the order right: a channel delivers every message written before it closes, so a worker's final
 * report is always taken before its totals are retired.
 */
import cluster, { type Worker } from 'node:cluster';
import { acceptReportMessage } from './accept-report.ts';
import type { ClusterAggregator } from './cluster-aggregator.ts';

/** Feeds `aggregator` from the workers of this primary; returns a function that stops listening. */
export function listenToWorkers(aggregator: ClusterAggregator): () => void {
  const onMessage = (worker: Worker, message: unknown) =>
    acceptReportMessage(aggregator, String(worker.id), `worker ${worker.id}`, message);
  const onDisconnect = (worker: Worker) => aggregator.retire(String(worker.id));
  cluster.on('message', onMessage);
  cluster.on('disconnect', onDisconnect);
  return () => {
    cluster.off('message', onMessage);
    cluster.off('disconnect', onDisconnect);
  };
}
