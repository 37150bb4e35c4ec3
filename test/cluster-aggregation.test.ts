/**
 * node:cluster aggregation end to end: a real cluster (test/fixtures/cluster/cluster-app.ts, run with this
 * Node and the TypeScript sources) whose primary alone serves /metrics, with the workers' counters,
 * histograms and gauges aggregated; a worker killed with SIGKILL keeps its totals in the aggregate, a
 * worker that shuts down gracefully sends its last recordings before it exits.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, type Sample, sampleValue } from './support/exposition-samples.ts';
import { waitFor } from './support/wait-for.ts';

const app = join(import.meta.dirname, 'fixtures', 'cluster', 'cluster-app.ts');

interface RunningCluster {
  readonly url: string;
  readonly events: Record<string, unknown>[];
  send(command: string): void;
  scrape(): Promise<Sample[]>;
  stop(): Promise<void>;
}

const running: RunningCluster[] = [];

async function startCluster(env: Record<string, string> = {}): Promise<RunningCluster> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--conditions=yardstick-source', app],
    {
      env: {
        ...process.env,
        YARDSTICK_LOG_LEVEL: 'warn',
        YARDSTICK_CLUSTER_REPORT_INTERVAL: '100ms',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const events: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cluster: RunningCluster = {
    url: '',
    events,
    send: (command) => child.stdin.write(`${command}\n`),
    async scrape() {
      const response = await fetch(`${cluster.url}/metrics`);
      expect(response.status).toBe(200);
      return parseExposition(await response.text());
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.write('exit\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  running.push(cluster);
  const listening = await waitFor(
    'the cluster primary to listen',
    () => events.find((event) => event.event === 'listening'),
    {
      timeoutMs: 20_000,
    },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; its stderr: ${stderr}`);
  });
  expect(listening.node).toBe(process.version);
  return Object.assign(cluster, { url: String(listening.url) });
}

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
