/**
 * worker_threads aggregation end to end: the main thread runs startTelemetry(); worker threads
 * (test/fixtures/worker-threads/telemetry-thread.ts, loaded from the TypeScript sources) call startTelemetry()
 * or connectTelemetry() without arguments, report to it over a MessagePort, and their counters and
 * histograms appear in its /metrics, summed, exactly for a pool of 3 threads recording 30,000. A terminated
 * thread keeps its totals; a thread whose main thread has no pipeline warns once and records without
 * throwing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, type Sample, sampleValue } from './support/exposition-samples.ts';
import { waitFor } from './support/wait-for.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'worker-threads');
const threadScript = join(fixtures, 'telemetry-thread.ts');
const NO_PIPELINE_WARNING = 'no telemetry pipeline to report to';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startMain(): Promise<Telemetry & { scrape(): Promise<Sample[]> }> {
  const telemetry = await startTelemetry({
    env: {},
    configFile: false,
    server: { port: 0 },
    registerGlobal: false,
    logger: silentLogger,
    store: { enabled: false },
    metrics: { process: false },
    cluster: { reportIntervalMs: 100 },
  });
  cleanups.push(() => telemetry.shutdown());
  return Object.assign(telemetry, {
    async scrape() {
      const response = await fetch(`${telemetry.url}/metrics`);
      expect(response.status).toBe(200);
      return parseExposition(await response.text());
    },
  });
}

interface RunningThread {
  readonly messages: Record<string, unknown>[];
  readonly exited: Promise<number>;
  readonly worker: Worker;
}

function startThread(workerData: {
  mode: 'shutdown' | 'hold' | 'pool';
  api?: 'start' | 'connect';
}): RunningThread {
  const worker = new Worker(threadScript, { workerData, execArgv: ['--conditions=yardstick-source'] });
  const messages: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  worker.on('message', (message: Record<string, unknown>) => messages.push(message));
  worker.on('error', (error) => errors.push(error));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  cleanups.push(async () => {
    await worker.terminate();
    expect(errors).toEqual([]);
  });
  return { messages, exited, worker };
}

describe('worker_threads aggregation', () => {
  it("sums the counters and histograms of two threads in the main thread's /metrics", async () => {
    const main = await startMain();
    const threads = [startThread({ mode: 'shutdown' }), startThread({ mode: 'shutdown' })];
    expect(await Promise.all(threads.map((thread) => thread.exited))).toEqual([0, 0]);
    // Threads open no telemetry server.
    expect(threads.map((thread) => thread.messages)).toEqual([
      [{ event: 'done', url: null }],
      [{ event: 'done', url: null }],
    ]);

    const samples = await waitFor('the main thread to show both threads', async () => {
      const scraped = await main.scrape();
      return sampleValue(scraped, 'app_jobs_total') === 10 ? scraped : undefined;
    });
    // Merged bucket by bucket (default boundaries 0, 5, 10, 25, ...): 0.5, 2, 3, 7, 20 from each thread.
    expect(sampleValue(samples, 'app_latency_bucket', { le: '5' })).toBe(6);
    expect(sampleValue(samples, 'app_latency_bucket', { le: '10' })).toBe(8);
    expect(sampleValue(samples, 'app_latency_bucket', { le: '25' })).toBe(10);
    expect(sampleValue(samples, 'app_latency_count')).toBe(10);
    expect(sampleValue(samples, 'app_latency_sum')).toBe(65);
    // Both threads exited: their gauges left with them, their counters stay.
    expect(sampleValue(samples, 'app_thread_busy')).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(sampleValue(await main.scrape(), 'app_jobs_total')).toBe(10);
  });

  it('keeps the totals of a terminated thread (connectTelemetry) and never counts them twice', async () => {
    const main = await startMain();
    const held = startThread({ mode: 'hold', api: 'connect' });
    await waitFor('the thread to report', async () => {
      const samples = await main.scrape();
      return sampleValue(samples, 'app_jobs_total') === 5 && sampleValue(samples, 'app_thread_busy') === 1
        ? true
        : undefined;
    });
    expect(held.messages).toEqual([{ event: 'recorded', url: null }]);
    await held.worker.terminate();
    await held.exited;
    // Retired once its port closed: its gauge leaves, its counter and histogram stay.
    const samples = await waitFor('the terminated thread to be retired', async () => {
      const scraped = await main.scrape();
      expect(sampleValue(scraped, 'app_jobs_total')).toBe(5);
      return sampleValue(scraped, 'app_thread_busy') === undefined ? scraped : undefined;
    });
    expect(sampleValue(samples, 'app_latency_count')).toBe(5);

    const next = startThread({ mode: 'shutdown' });
    expect(await next.exited).toBe(0);
    await waitFor('the next thread to add to the total', async () =>
      sampleValue(await main.scrape(), 'app_jobs_total') === 10 ? true : undefined,
    );
    expect(sampleValue(await main.scrape(), 'app_latency_count')).toBe(10);
  });

  it('exports exactly the 30,000 measurements a pool of 3 threads recorded, live and after the pool is terminated', async () => {
    const main = await startMain();
    const pool = [0, 1, 2].map(() => startThread({ mode: 'pool' }));
    await waitFor('the pool to be ready', () =>
      pool.every((thread) => thread.messages.some((message) => message.event === 'ready')) ? true : undefined,
    );
    // 30 tasks of 1,000, dealt round-robin.
    for (let task = 0; task < 30; task++) pool[task % 3]!.worker.postMessage({ jobs: 1_000 });
    const done = await waitFor('the pool to finish its 30 tasks', () => {
      const finished = pool.map(
        (thread) => thread.messages.filter((message) => message.event === 'task').length,
      );
      return finished.reduce((sum, count) => sum + count, 0) === 30 ? finished : undefined;
    });
    expect(done.every((count) => count > 0)).toBe(true);

    const samples = await waitFor('the main thread to show 30,000 jobs', async () => {
      const scraped = await main.scrape();
      return (sampleValue(scraped, 'app_jobs_total') ?? 0) >= 30_000 ? scraped : undefined;
    });
    expect(sampleValue(samples, 'app_jobs_total')).toBe(30_000);
    expect(sampleValue(samples, 'app_latency_count')).toBe(30_000);
    // 6,000 of each of 0.5, 2, 3, 7, 20 (default boundaries 0, 5, 10, 25, ...).
    expect(sampleValue(samples, 'app_latency_bucket', { le: '5' })).toBe(18_000);
    expect(sampleValue(samples, 'app_latency_bucket', { le: '10' })).toBe(24_000);
    expect(sampleValue(samples, 'app_latency_sum')).toBe(6_000 * 32.5);

    await Promise.all(pool.map((thread) => thread.worker.terminate()));
    for (let i = 0; i < 3; i++) {
      const scraped = await main.scrape();
      expect([sampleValue(scraped, 'app_jobs_total'), sampleValue(scraped, 'app_latency_count')]).toEqual([
        30_000, 30_000,
      ]);
    }
  });

  it('warns once and records without throwing when the main thread has no pipeline', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=yardstick-source', join(fixtures, 'no-main-pipeline.ts')],
      { env: { ...process.env, YARDSTICK_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const events = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toEqual([
      { event: 'done', url: null },
      { event: 'exit', code: 0 },
    ]);
    const warnings = stderr.split('\n').filter((line) => line.includes(NO_PIPELINE_WARNING));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      level: 40,
      problem: 'the main thread has no yardstick pipeline',
    });
  });
});
