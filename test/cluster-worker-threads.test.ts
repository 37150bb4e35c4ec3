/**
 * Worker threads inside node:cluster workers: a thread reports to its process's main thread, whose reports
 * to the primary include the thread's totals, so the primary's /metrics shows what the threads of every
 * worker recorded; a terminated thread and then a killed worker keep their counts in the aggregate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleValue } from './support/exposition-samples.ts';
import { eventsNamed, type RunningCluster, startCluster, summed } from './support/running-cluster.ts';
import { waitFor } from './support/wait-for.ts';

const running: RunningCluster[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cluster) => cluster.stop()));
});

describe('node:cluster workers with worker threads', () => {
  it('shows on the primary what the threads of two workers recorded, after the threads end and after a worker is killed', async () => {
    const cluster = await startCluster();
    running.push(cluster);
    cluster.send('thread 5000');
    cluster.send('thread 3000');
    await eventsNamed(cluster, 'thread-recorded', 2, 30_000);
    const counted = (expected: number) =>
      waitFor(
        `the primary to count ${expected} thread jobs`,
        async () => {
          const samples = await cluster.scrape();
          return sampleValue(samples, 'app_jobs_total') === expected ? samples : undefined;
        },
        { timeoutMs: 20_000 },
      );
    const samples = await counted(8_000);
    // The threads' histogram too, every value once: 0.5, 2, 3, 7, 20 repeating.
    expect(sampleValue(samples, 'app_latency_count')).toBe(8_000);
    expect(sampleValue(samples, 'app_latency_sum')).toBe(1_000 * 32.5 + 600 * 32.5);
    expect(summed(samples, 'app_latency_bucket', 5)).toBe(4_800);

    // Terminated threads keep their totals in their worker's reports.
    cluster.send('end-threads');
    await eventsNamed(cluster, 'thread-ended', 2);
    // A report after the threads ended, at 100 ms intervals: the count holds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sampleValue(await cluster.scrape(), 'app_jobs_total')).toBe(8_000);

    // A killed worker keeps them in the primary's retired totals.
    const victim = Number(cluster.events.find((event) => event.event === 'thread-recorded')?.id);
    cluster.send(`kill ${victim}`);
    await waitFor('the victim to die', () =>
      cluster.events.find((event) => event.event === 'exit' && event.id === victim),
    );
    const after = await cluster.scrape();
    expect(sampleValue(after, 'app_jobs_total')).toBe(8_000);
    expect(sampleValue(after, 'app_latency_count')).toBe(8_000);
  }, 60_000);
});
