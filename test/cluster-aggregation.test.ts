/**
 * node:cluster aggregation end to end: a real cluster (test/fixtures/cluster/cluster-app.ts, run with this
 * Node and the TypeScript sources) whose primary alone serves /metrics, with the workers' counters,
 * histograms and gauges aggregated; a worker killed with SIGKILL keeps its totals in the aggregate, a
 * worker that shuts down gracefully sends its last recordings before it exits. Workers serving HTTP through
 * the HTTP kit on a shared port add up, request by request and bucket by bucket, with a worker SIGKILLed and
 * replaced between two bursts of traffic.
 */
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleValue } from './support/exposition-samples.ts';
import { drive, type RunningCluster, startCluster as startApp, summed } from './support/running-cluster.ts';
import { waitFor } from './support/wait-for.ts';

const running: RunningCluster[] = [];

async function startCluster(env: Record<string, string> = {}): Promise<RunningCluster> {
  const cluster = await startApp(env);
  running.push(cluster);
  return cluster;
}

const REQUEST_COUNT = 'http_server_request_duration_seconds_count';

afterEach(async () => {
  await Promise.all(running.splice(0).map((cluster) => cluster.stop()));
});

describe('node:cluster aggregation (cluster.mode aggregate, the default)', () => {
  it('serves the sum of two workers on the primary, keeps a killed worker in it and counts its replacement', async () => {
    const cluster = await startCluster();
    cluster.send('fork 5');
    cluster.send('fork 5');
    const recorded = await waitFor('both workers to record', () => {
      const events = cluster.events.filter((event) => event.event === 'recorded');
      return events.length === 2 ? events : undefined;
    });
    // Workers open no telemetry server.
    expect(recorded.map((event) => event.url)).toEqual([null, null]);

    const total = await waitFor('the primary to show both workers', async () => {
      const samples = await cluster.scrape();
      return sampleValue(samples, 'app_requests_total', { role: 'worker' }) === 10 ? samples : undefined;
    });
    // Each scrape is the aggregate, never one worker's share; the primary's own series is there once.
    for (let i = 0; i < 4; i++) {
      expect(sampleValue(await cluster.scrape(), 'app_requests_total', { role: 'worker' })).toBe(10);
    }
    expect(sampleValue(total, 'app_requests_total', { role: 'primary' })).toBe(2);
    // The explicit histograms, merged bucket by bucket: 0.5, 2, 3, 7, 20 from each worker.
    expect(sampleValue(total, 'app_latency_bucket', { le: '1' })).toBe(2);
    expect(sampleValue(total, 'app_latency_bucket', { le: '5' })).toBe(6);
    expect(sampleValue(total, 'app_latency_bucket', { le: '10' })).toBe(8);
    expect(sampleValue(total, 'app_latency_bucket', { le: '+Inf' })).toBe(10);
    expect(sampleValue(total, 'app_latency_count')).toBe(10);
    expect(sampleValue(total, 'app_latency_sum')).toBe(65);
    // Gauges: summed by default, one series per worker under the `worker` policy.
    expect(sampleValue(total, 'app_inflight')).toBe(6);
    expect(sampleValue(total, 'app_worker_slot', { worker: '1' })).toBe(1);
    expect(sampleValue(total, 'app_worker_slot', { worker: '2' })).toBe(2);

    cluster.send('kill 1');
    await waitFor('worker 1 to die', () =>
      cluster.events.find((event) => event.event === 'exit' && event.id === 1),
    );
    cluster.send('fork 1');
    let previous = 10;
    const after = await waitFor('the replacement worker to be counted', async () => {
      const samples = await cluster.scrape();
      const requests = sampleValue(samples, 'app_requests_total', { role: 'worker' }) ?? 0;
      // An aggregated counter never goes down while workers are replaced.
      expect(requests).toBeGreaterThanOrEqual(previous);
      previous = requests;
      return requests === 11 && sampleValue(samples, 'app_worker_slot', { worker: '3' }) !== undefined
        ? samples
        : undefined;
    });
    expect(sampleValue(after, 'app_latency_count')).toBe(11);
    expect(sampleValue(after, 'app_latency_bucket', { le: '1' })).toBe(3);
    expect(sampleValue(after, 'app_latency_sum')).toBe(65.5);
    // The dead worker's gauges left with it; its replacement's joined.
    expect(sampleValue(after, 'app_inflight')).toBe(6);
    expect(sampleValue(after, 'app_worker_slot', { worker: '1' })).toBeUndefined();
    expect(sampleValue(after, 'app_worker_slot', { worker: '3' })).toBe(3);
  });

  it('merges exponential histograms exactly: every classic bucket counts the values of both workers under it', async () => {
    const cluster = await startCluster({ YARDSTICK_HISTOGRAM_AGGREGATION: 'exponential' });
    cluster.send('fork 5');
    cluster.send('fork 5');
    const samples = await waitFor('the primary to show both workers', async () => {
      const scraped = await cluster.scrape();
      return sampleValue(scraped, 'app_latency_count') === 10 ? scraped : undefined;
    });
    expect(sampleValue(samples, 'app_latency_sum')).toBe(65);
    const values = [0.5, 2, 3, 7, 20, 0.5, 2, 3, 7, 20];
    const buckets = samples.filter((sample) => sample.name === 'app_latency_bucket');
    expect(buckets.length).toBeGreaterThan(2);
    for (const bucket of buckets) {
      const le = bucket.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(bucket.labels.le);
      expect([le, bucket.value]).toEqual([le, values.filter((value) => value <= le).length]);
    }
  });

  it("takes a gracefully exiting worker's last recordings from its final report", async () => {
    // Reports every minute: within this test only the final reports of shutdown() can carry anything.
    const cluster = await startCluster({ YARDSTICK_CLUSTER_REPORT_INTERVAL: '1m' });
    cluster.send('fork 5');
    cluster.send('fork 5');
    await waitFor('both workers to record', () =>
      cluster.events.filter((event) => event.event === 'recorded').length === 2 ? true : undefined,
    );
    expect(sampleValue(await cluster.scrape(), 'app_requests_total', { role: 'worker' })).toBeUndefined();
    cluster.send('finish');
    await waitFor('both workers to exit', () =>
      cluster.events.filter((event) => event.event === 'exit').length === 2 ? true : undefined,
    );
    const samples = await cluster.scrape();
    expect(sampleValue(samples, 'app_requests_total', { role: 'worker' })).toBe(12);
    expect(sampleValue(samples, 'app_latency_count')).toBe(12);
    // Gauges of processes that are gone are not shown.
    expect(sampleValue(samples, 'app_inflight')).toBeUndefined();
  });

  it("shows exactly the 20,000 requests 4 workers served through the HTTP kit, every bucket the sum of the workers'", async () => {
    const cluster = await startCluster();
    cluster.send('serve 4');
    const serving = await waitFor('4 workers to serve', () => {
      const events = cluster.events.filter((event) => event.event === 'serving');
      return events.length === 4 ? events : undefined;
    });
    // One port, shared through the cluster.
    const port = Number(serving[0]!.port);
    expect(new Set(serving.map((event) => event.port))).toEqual(new Set([port]));

    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const traffic = await drive(agent, port, 20_000);
    agent.destroy();
    expect([traffic.acknowledged, traffic.retried]).toEqual([20_000, 0]);

    const samples = await waitFor(
      'the primary to count 20,000 requests',
      async () => {
        const scraped = await cluster.scrape();
        return summed(scraped, REQUEST_COUNT) >= 20_000 ? scraped : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(summed(samples, REQUEST_COUNT)).toBe(20_000);

    cluster.send('local');
    const locals = await waitFor('4 workers to tell their own buckets', () => {
      const events = cluster.events.filter((event) => event.event === 'local');
      return events.length === 4 ? events : undefined;
    });
    const own = locals as unknown as { id: number; count: number; boundaries: number[]; buckets: number[] }[];
    // Every worker served a share; the shares add up to what the primary shows.
    expect(own.every((worker) => worker.count > 0)).toBe(true);
    expect(own.reduce((sum, worker) => sum + worker.count, 0)).toBe(20_000);
    const boundaries = own[0]!.boundaries;
    expect(boundaries.length).toBeGreaterThan(0);
    let below = 0;
    boundaries.forEach((le, i) => {
      below += own.reduce((sum, worker) => sum + (worker.buckets[i] ?? 0), 0);
      expect([le, summed(samples, 'http_server_request_duration_seconds_bucket', le)]).toEqual([le, below]);
    });
    expect(summed(samples, 'http_server_request_duration_seconds_bucket', Number.POSITIVE_INFINITY)).toBe(
      20_000,
    );
  }, 60_000);

  it('never lets the served-request count go down when a worker is SIGKILLed mid-run and replaced, and ends at every acknowledged request', async () => {
    const cluster = await startCluster();
    cluster.send('serve 4');
    const serving = await waitFor('4 workers to serve', () => {
      const events = cluster.events.filter((event) => event.event === 'serving');
      return events.length === 4 ? events : undefined;
    });
    const port = Number(serving[0]!.port);
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });

    // Sampled every 200 ms for the whole run, kill and replacement included.
    const sampled: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        sampled.push(summed(await cluster.scrape(), REQUEST_COUNT));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const countedUpTo = (acknowledged: number) =>
      waitFor(
        `the primary to count ${acknowledged} requests`,
        async () => (summed(await cluster.scrape(), REQUEST_COUNT) >= acknowledged ? true : undefined),
        { timeoutMs: 20_000 },
      );

    const first = await drive(agent, port, 8_000);
    // Traffic stops and the victim's last report covers every request it acknowledged, so nothing it
    // answered can be lost with it: the final total can be held to equality.
    await countedUpTo(first.acknowledged);
    const victim = Number(serving[0]!.id);
    cluster.send(`kill ${victim}`);
    await waitFor('the victim to die', () =>
      cluster.events.find((event) => event.event === 'exit' && event.id === victim),
    );
    cluster.send('serve 1');
    await waitFor('the replacement to serve', () =>
      cluster.events.filter((event) => event.event === 'serving').length === 5 ? true : undefined,
    );
    const second = await drive(agent, port, 8_000);
    agent.destroy();
    const acknowledged = first.acknowledged + second.acknowledged;
    expect(acknowledged).toBe(16_000);
    await countedUpTo(acknowledged);
    sampling = false;
    await sampler;

    expect(summed(await cluster.scrape(), REQUEST_COUNT)).toBe(acknowledged);
    expect(sampled.length).toBeGreaterThan(2);
    sampled.forEach((value, i) => {
      expect([i, value]).toEqual([i, Math.max(value, sampled[i - 1] ?? 0)]);
    });
    // The replacement served part of the second half.
    cluster.send('local');
    const locals = await waitFor('the 4 live workers to tell their own counts', () => {
      const events = cluster.events.filter((event) => event.event === 'local');
      return events.length === 4 ? events : undefined;
    });
    const replacement = cluster.events.filter((event) => event.event === 'serving')[4]!.id;
    expect(Number(locals.find((event) => event.id === replacement)?.count)).toBeGreaterThan(0);
  }, 60_000);

  it("with cluster.mode 'off', a worker runs its own pipeline and the primary shows only its own", async () => {
    const cluster = await startCluster({ YARDSTICK_CLUSTER_MODE: 'off' });
    cluster.send('fork 5');
    const recorded = await waitFor('the worker to record', () =>
      cluster.events.find((event) => event.event === 'recorded'),
    );
    expect(String(recorded.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(recorded.url).not.toBe(cluster.url);
    const samples = await cluster.scrape();
    expect(sampleValue(samples, 'app_requests_total', { role: 'primary' })).toBe(2);
    expect(sampleValue(samples, 'app_requests_total', { role: 'worker' })).toBeUndefined();
  });
});
