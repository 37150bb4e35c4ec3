/**
 * The primary's (or main thread's) handling of one message from a reporting process or thread: a valid
 * report becomes its latest totals; a refused or failing one is logged once per sender and never throws.
 */
import type { ClusterAggregator } from './cluster-aggregator.ts';
import { decodeClusterReport, isClusterReportMessage } from './cluster-report.ts';

/**
 * Feeds `message` to `aggregator` as the latest report of `sender` (`description` names it in warnings,
 * e.g. `worker 2`). Messages that are not reports are ignored.
 */
export function acceptReportMessage(
  aggregator: ClusterAggregator,
  sender: string,
  description: string,
  message: unknown,
): void {
  if (!isClusterReportMessage(message)) return;
  try {
    const decoded = decodeClusterReport(message);
    if (decoded.ok) aggregator.accept(sender, decoded.report);
    else
      aggregator.warnOnce(
        `refused\u0000${sender}`,
        `cluster: a report of ${description} was refused: ${decoded.problem}`,
      );
  } catch (error) {
    // A listener that throws would take the primary down with it.
    aggregator.warnOnce(
      `failed\u0000${sender}`,
      `cluster: a report of ${description} failed: ${String(error)}`,
    );
  }
}
