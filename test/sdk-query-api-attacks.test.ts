/**
 * The query API under attack, through `startTelemetry()` defaults: the hostile queries that once crashed
 * the host or held its event loop for minutes must now end with Prometheus's error answers within the
 * query timeout (plus a second), while `/metrics` keeps answering and memory stays bounded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SampleStore } from '@yardstick/promql';
import { createQueryApi, silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERIES = 2_000;
const SCRAPE_MS = 15_000;
const DAY_MS = 24 * 3_600_000;
const TIMEOUT_MS = 10_000;

let telemetry: Telemetry;
let now: number;

/** 2,000 counters over the last 24 h at 15 s: 11.5M samples, what a day of a mid-sized service holds. */
function fillDay(store: SampleStore): void {
  const first = now - DAY_MS;
  for (let t = first; t <= now; t += SCRAPE_MS) {
    const step = (t - first) / SCRAPE_MS;
    for (let s = 0; s < SERIES; s++) {
      store.append(
        { __name__: 'attack_requests_total', pod: `pod-${s % 50}`, route: `/r/${s}` },
        t,
        step * (s % 7),
      );
    }
  }
}

interface Answer {
  readonly status: number;
  readonly body: { status: string; errorType?: string; error?: string };
  readonly bytes: number;
  readonly ms: number;
}

async function query(path: string, params: Record<string, string>): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${telemetry.url}${path}?${new URLSearchParams(params)}`);
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text),
    bytes: text.length,
    ms: performance.now() - started,
  };
}

/**
 * Scrapes `/metrics` back to back while `attack` runs, and samples RSS; returns the scrape latencies and
 * the RSS peak above the level before the attack.
 */
async function underLoad<T>(
  attack: () => Promise<T>,
): Promise<{ result: T; p99: number; rssGrowthMb: number }> {
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  let done = false;
  const latencies: number[] = [];
  const scraping = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${telemetry.url}/metrics`);
      await response.text();
      latencies.push(performance.now() - started);
      peak = Math.max(peak, process.memoryUsage.rss());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await attack();
    return { result, p99: percentile(latencies, 0.99), rssGrowthMb: (peak - rssBefore) / 1024 / 1024 };
  } finally {
    done = true;
    await scraping;
  }
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** `/metrics` p99 on the idle service, to scale the 100 ms target on a loaded machine. */
let idleP99 = 0;

beforeAll(async () => {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    server: { port: 0 },
    registerGlobal: false,
    logger: silentLogger,
    // the store's own collection would add samples at "now" while the test fills the day by hand
    collectIntervalMs: '1h',
    store: { maxBytes: 512 * 1024 * 1024 },
  });
  now = Math.floor(Date.now() / 1000) * 1000;
  fillDay(telemetry.store!);
  const latencies: number[] = [];
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    await (await fetch(`${telemetry.url}/metrics`)).text();
    latencies.push(performance.now() - started);
  }
  idleP99 = percentile(latencies, 0.99);
}, 120_000);

afterAll(async () => {
  await telemetry?.shutdown();
});

/**
 * The target is a /metrics p99 under 100 ms during an attack; on a machine busy with other work the
 * idle p99 is already higher, so the bound grows with it.
 */
function scrapeBound(): number {
  return 100 + 4 * idleP99;
}

describe('the query API under attack (startTelemetry defaults)', () => {
  it('answers vector(1)[8h:1ms] with 422 instead of crashing the process', async () => {
    const { result, p99, rssGrowthMb } = await underLoad(() =>
      query('/api/v1/query', { query: 'vector(1)[8h:1ms]' }),
    );
    console.log(
      `vector(1)[8h:1ms]: ${result.status} in ${result.ms.toFixed(0)} ms, /metrics p99 ${p99.toFixed(1)} ms, RSS +${rssGrowthMb.toFixed(0)} MB`,
    );
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({
      status: 'error',
      errorType: 'execution',
      error: expect.stringContaining('query processing would load too many samples into memory'),
    });
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(rssGrowthMb).toBeLessThan(300);
    // the process is alive and serving
    expect((await fetch(`${telemetry.url}/healthz`)).status).toBe(200);
  });

  it('answers a 24 h range query over every series at 8 s steps with 422/503, /metrics staying responsive', async () => {
    const { result, p99, rssGrowthMb } = await underLoad(() =>
      query('/api/v1/query_range', {
        query: '{__name__=~".+"}',
        start: String((now - DAY_MS) / 1000),
        end: String(now / 1000),
        step: '8',
      }),
    );
    console.log(
      `24h range over ${SERIES} series: ${result.status} ${result.body.errorType} in ${result.ms.toFixed(0)} ms, /metrics p99 ${p99.toFixed(1)} ms (idle ${idleP99.toFixed(1)}), RSS +${rssGrowthMb.toFixed(0)} MB`,
    );
    expect([422, 503]).toContain(result.status);
    expect(result.body.status).toBe('error');
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(rssGrowthMb).toBeLessThan(300);
    expect(p99).toBeLessThan(scrapeBound());
  }, 60_000);

  it('stops label_replace nested 8 deep within the timeout', async () => {
    let expr = 'attack_requests_total';
    for (let i = 0; i < 8; i++) expr = `label_replace(${expr}, "l${i}", "$1-${i}", "route", "(.*)")`;
    const { result, p99, rssGrowthMb } = await underLoad(() =>
      query('/api/v1/query_range', {
        query: expr,
        start: String((now - DAY_MS) / 1000),
        end: String(now / 1000),
        step: '15',
      }),
    );
    console.log(
      `label_replace x8: ${result.status} ${result.body.errorType} in ${result.ms.toFixed(0)} ms, /metrics p99 ${p99.toFixed(1)} ms, RSS +${rssGrowthMb.toFixed(0)} MB`,
    );
    expect([422, 503]).toContain(result.status);
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(rssGrowthMb).toBeLessThan(300);
    expect(p99).toBeLessThan(scrapeBound());
  }, 60_000);

  it('refuses [1d:1s] subqueries over every series as too many samples', async () => {
    const { result, rssGrowthMb } = await underLoad(() =>
      query('/api/v1/query', {
        query: 'max_over_time(attack_requests_total[1d:1s])',
        time: String(now / 1000),
      }),
    );
    console.log(
      `[1d:1s] subquery: ${result.status} in ${result.ms.toFixed(0)} ms, RSS +${rssGrowthMb.toFixed(0)} MB`,
    );
    expect(result.status).toBe(422);
    expect(result.body.errorType).toBe('execution');
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(rssGrowthMb).toBeLessThan(300);
  }, 60_000);

  it('lets a client lower the timeout but never raise it', async () => {
    const heavy = {
      query: 'quantile_over_time(0.5, attack_requests_total[1d])',
      start: String((now - DAY_MS) / 1000),
      end: String(now / 1000),
      step: '600',
    };
    const raised = await query('/api/v1/query_range', { ...heavy, timeout: '1h' });
    expect([422, 503]).toContain(raised.status);
    expect(raised.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    const lowered = await query('/api/v1/query_range', { ...heavy, timeout: '1ms' });
    expect(lowered.status).toBe(503);
    expect(lowered.body.errorType).toBe('timeout');
  }, 60_000);

  it('keeps a normal query exact beside the attacks', async () => {
    const answer = await query('/api/v1/query', {
      query: 'count(attack_requests_total)',
      time: String(now / 1000),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'success',
      data: { result: [{ value: [now / 1000, String(SERIES)] }] },
    });
  });
});

describe('query slots', () => {
  /** A query that would run for minutes: a median over a day-long window at each of 1,440 steps. */
  const heavy = () => ({
    query: 'quantile_over_time(0.5, attack_requests_total[1d])',
    start: String((now - DAY_MS) / 1000),
    end: String(now / 1000),
    step: '60',
  });

  async function withApi<T>(
    limits: Parameters<typeof createQueryApi>[0]['limits'],
    run: (url: string) => Promise<T>,
  ): Promise<T> {
    const api = createQueryApi({ store: telemetry.store!, limits });
    const server = createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api.close();
    }
  }

  it('stops a query whose client disconnects, freeing its slot for the next one', async () => {
    await withApi(
      {
        maxConcurrent: 1,
        timeoutMs: 120_000,
        maxSamples: 1_000_000_000,
        workerHeapBytes: 1024 * 1024 * 1024,
      },
      async (url) => {
        const client = new AbortController();
        const abandoned = fetch(`${url}/api/v1/query_range?${new URLSearchParams(heavy())}`, {
          signal: client.signal,
        }).catch((error: unknown) => error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        client.abort();
        expect(await abandoned).toBeInstanceOf(Error);
        // With the only slot still taken, this would wait for the 120 s timeout; the abort freed it.
        const started = performance.now();
        const next = await fetch(`${url}/api/v1/query?query=count(attack_requests_total)&time=${now / 1000}`);
        expect(next.status).toBe(200);
        expect(performance.now() - started).toBeLessThan(60_000);
      },
    );
  }, 120_000);

  it('makes queries beyond maxConcurrent wait, then answers 503 when their timeout passes in line', async () => {
    await withApi({ maxConcurrent: 1, timeoutMs: 2_000, maxSamples: 1_000_000_000 }, async (url) => {
      const first = fetch(`${url}/api/v1/query_range?${new URLSearchParams(heavy())}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // its own timeout (500 ms) ends while the first query (2 s) still holds the only slot
      const second = await fetch(`${url}/api/v1/query?query=count(attack_requests_total)&timeout=500ms`);
      expect(second.status).toBe(503);
      expect(await second.json()).toMatchObject({
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in query queue',
      });
      const firstAnswer = await first;
      expect(firstAnswer.status).toBe(503);
      expect(await firstAnswer.json()).toMatchObject({ errorType: 'timeout' });
    });
  }, 60_000);
});
