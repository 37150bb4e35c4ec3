/**
 * The series limit of the aggregate through real cluster workers: four workers each under the limit of
 * `app.users` (100), their union over it. The primary's /metrics keeps 100 series plus the overflow series
 * with the exact remainder, and as workers are killed and replaced nothing is lost, counted twice or
 * lowered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from './support/exposition-samples.ts';
import { eventsNamed, type RunningCluster, startCluster, summed } from './support/running-cluster.ts';
import { waitFor } from './support/wait-for.ts';

const running: RunningCluster[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cluster) => cluster.stop()));
});

const USERS = 'app_users_total';
/** Four workers starting and reporting at once took over 15 s under a load average of 17. */
const LOADED_MACHINE = { timeoutMs: 45_000 };
/** 1 + 2 + ... + 60: what one worker of `users 60 <prefix>` adds. */
const PER_WORKER = 1830;

function series(samples: readonly Sample[]): Sample[] {
  return samples.filter((sample) => sample.name === USERS);
}

function overflowOf(samples: readonly Sample[]): number | undefined {
  return series(samples).find((sample) => sample.labels.otel_metric_overflow === 'true')?.value;
}

describe('node:cluster: the aggregate keeps to the series limit', () => {
  it("holds 100 series and the exact remainder in the overflow series when the workers' union exceeds the limit", async () => {
    const cluster = await startCluster();
    running.push(cluster);
    for (let w = 0; w < 4; w++) cluster.send(`users 60 w${w}`);
    await eventsNamed(cluster, 'recorded', 4);
    const samples = await waitFor(
      'the primary to count every worker',
      async () => {
        const scraped = await cluster.scrape();
        return summed(scraped, USERS) === 4 * PER_WORKER ? scraped : undefined;
      },
      LOADED_MACHINE,
    );
    const exposed = series(samples);
    expect(exposed.length).toBe(101);
    const admitted = exposed.filter((sample) => sample.labels.otel_metric_overflow === undefined);
    // Each admitted series is whole: user <prefix>-<i> holds i + 1 (no worker overflowed on its own).
    for (const sample of admitted) {
      const i = Number(sample.labels.user?.split('-')[1]);
      expect([sample.labels.user, sample.value]).toEqual([sample.labels.user, i + 1]);
    }
    const admittedTotal = admitted.reduce((sum, sample) => sum + sample.value, 0);
    expect(overflowOf(samples)).toBe(4 * PER_WORKER - admittedTotal);
    const kept = new Set(admitted.map((sample) => sample.labels.user));

    // Kill a worker and add two more: its totals stay, theirs join, and the 100 series keep their places.
    const victim = Number(cluster.events.find((event) => event.event === 'forked')?.id);
    cluster.send(`kill ${victim}`);
    await waitFor('the victim to die', () =>
      cluster.events.find((event) => event.event === 'exit' && event.id === victim),
    );
    cluster.send('users 60 w4');
    cluster.send('users 60 w5');
    let previous = new Map(exposed.map((sample) => [JSON.stringify(sample.labels), sample.value]));
    const after = await waitFor(
      'the primary to count the replacements',
      async () => {
        const scraped = await cluster.scrape();
        for (const sample of series(scraped)) {
          // No series goes down, the overflow series included.
          const before = previous.get(JSON.stringify(sample.labels)) ?? 0;
          expect([sample.labels, sample.value >= before]).toEqual([sample.labels, true]);
        }
        previous = new Map(series(scraped).map((sample) => [JSON.stringify(sample.labels), sample.value]));
        return summed(scraped, USERS) >= 6 * PER_WORKER ? scraped : undefined;
      },
      LOADED_MACHINE,
    );
    expect(summed(after, USERS)).toBe(6 * PER_WORKER);
    const stillAdmitted = series(after).filter((sample) => sample.labels.otel_metric_overflow === undefined);
    expect(new Set(stillAdmitted.map((sample) => sample.labels.user))).toEqual(kept);
    expect(overflowOf(after)).toBe(6 * PER_WORKER - admittedTotal);
  }, 120_000);
});
