/**
 * The summaries of a provider by meter, and their collection: one at a time, since each stream merges its
 * series' windows in one scratch histogram across event-loop turns.
 */
import { LoopSlice } from '../collection/loop-slice.ts';
import { nowHrTime } from '../model/hr-time.ts';
import type { InstrumentationScope } from '../model/metric-data.ts';
import type { SummaryScopeMetrics } from './summary-data.ts';
import type { SummaryStream } from './summary-stream.ts';

/** Every summary stream of a provider, grouped by meter (scope). */
export class SummaryStreams {
  readonly #byScope = new Map<string, { scope: InstrumentationScope; streams: SummaryStream[] }>();
  #last: Promise<unknown> = Promise.resolve();

  /** Adds a stream to its meter's. */
  add(scope: InstrumentationScope, stream: SummaryStream): void {
    const key = JSON.stringify([scope.name, scope.version ?? '', scope.schemaUrl ?? '']);
    let entry = this.#byScope.get(key);
    if (entry === undefined) {
      entry = { scope, streams: [] };
      this.#byScope.set(key, entry);
    }
    entry.streams.push(stream);
  }

  /** Every summary's series now: counts, sums and the quantiles of their windows. */
  collect(): Promise<SummaryScopeMetrics[]> {
    // Most services have no summary: every /metrics render asks, so it gets its answer without the queue.
    if (this.#byScope.size === 0) return Promise.resolve([]);
    const run = this.#last.then(() => this.#collectNow());
    this.#last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #collectNow(): Promise<SummaryScopeMetrics[]> {
    const endTime = nowHrTime();
    const nowMs = Date.now();
    const slice = new LoopSlice();
    const collected: SummaryScopeMetrics[] = [];
    for (const { scope, streams } of this.#byScope.values()) {
      const metrics = [];
      for (const stream of streams) {
        const data = await stream.collect(endTime, nowMs, slice);
        if (data !== undefined) metrics.push(data);
      }
      if (metrics.length > 0) collected.push({ scope, metrics });
    }
    return collected;
  }
}
