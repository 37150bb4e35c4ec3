import type { IncomingMessage, ServerResponse } from 'node:http';
import { FloatHistogram, type Labels, SampleStore } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { computeServiceStats } from './service-stats.ts';
import { createStatsHandler } from './stats-handler.ts';

const STEP_MS = 15_000;
const END_MS = 1_800_000_000_000; // a scrape time; the store holds 10 minutes before it
const STEPS = 40;

/** A counter growing by `perStep` every 15 s, so its rate over any window is `perStep / 15` per second. */
function counter(store: SampleStore, labels: Labels, perStep: number): void {
  for (let i = 0; i <= STEPS; i++) store.append(labels, END_MS - (STEPS - i) * STEP_MS, 1_000 + i * perStep);
}

function gauge(store: SampleStore, labels: Labels, value: number): void {
  for (let i = 0; i <= STEPS; i++) store.append(labels, END_MS - (STEPS - i) * STEP_MS, value);
}

const http = (route: string, method: string, code: string, extra: Labels = {}): Labels => ({
  http_route: route,
  http_request_method: method,
  http_response_status_code: code,
  otel_scope_name: '@yardstick/sdk/http-server',
  ...extra,
});

/** Classic-histogram buckets of one series; `cumulativePerStep` is how much each `le` bucket grows per step. */
function histogram(
  store: SampleStore,
  name: string,
  labels: Labels,
  cumulativePerStep: Record<string, number>,
): void {
  for (const [le, perStep] of Object.entries(cumulativePerStep)) {
    counter(store, { __name__: `${name}_bucket`, ...labels, le }, perStep);
  }
  counter(store, { __name__: `${name}_count`, ...labels }, cumulativePerStep['+Inf']!);
}

/** Linear interpolation inside a bucket, as histogram_quantile does. */
function interpolate(lower: number, upper: number, below: number, inBucket: number, rank: number): number {
  return lower + ((upper - lower) * (rank - below)) / inBucket;
}

function filledStore(): SampleStore {
  const store = new SampleStore();
  const duration = 'http_server_request_duration_seconds';
  // GET /a: 15 requests per step under 0.1 s, and 3 failing ones between 0.1 and 1 s. POST /b: 30 fast ones.
  histogram(store, duration, http('/a', 'GET', '200'), { '0.1': 15, '1': 15, '+Inf': 15 });
  histogram(store, duration, http('/a', 'GET', '500'), { '0.1': 0, '1': 3, '+Inf': 3 });
  histogram(store, duration, http('/b', 'POST', '201'), { '0.1': 30, '1': 30, '+Inf': 30 });
  counter(store, { __name__: 'process_cpu_time_seconds_total', cpu_mode: 'user' }, 1.5);
  counter(store, { __name__: 'process_cpu_time_seconds_total', cpu_mode: 'system' }, 0.75);
  gauge(store, { __name__: 'process_memory_usage_bytes' }, 1e8);
  gauge(store, { __name__: 'v8js_memory_heap_used_bytes', v8js_heap_space_name: 'old_space' }, 3e7);
  gauge(store, { __name__: 'v8js_memory_heap_used_bytes', v8js_heap_space_name: 'new_space' }, 1e6);
  gauge(store, { __name__: 'nodejs_eventloop_delay_p99_seconds' }, 0.012);
  const pool = { pool_name: 'workers', queue: 'emails', otel_scope_name: '@yardstick/sdk/pools' };
  gauge(store, { __name__: 'pool_items', ...pool, pool_item_state: 'idle' }, 3);
  gauge(store, { __name__: 'pool_items', ...pool, pool_item_state: 'used' }, 5);
  gauge(store, { __name__: 'pool_items', ...pool, pool_item_state: 'unhealthy' }, 1);
  gauge(store, { __name__: 'pool_pending_requests', ...pool }, 2);
  gauge(store, { __name__: 'pool_limit', ...pool }, 10);
  counter(store, { __name__: 'pool_timeouts_total', ...pool }, 3);
  gauge(store, { __name__: 'dependency_up', dependency_name: 'redis' }, 1);
  gauge(store, { __name__: 'dependency_up', dependency_name: 'pg' }, 0);
  gauge(store, { __name__: 'yardstick_cardinality_series', metric: 'requests_total' }, 2000);
  gauge(store, { __name__: 'yardstick_cardinality_series', metric: 'quiet_total' }, 12);
  gauge(store, { __name__: 'yardstick_cardinality_series', metric: 'process.uptime' }, 0);
  counter(
    store,
    { __name__: 'yardstick_cardinality_overflow_measurements_total', metric: 'requests_total' },
    7,
  );
  counter(store, { __name__: 'yardstick_cardinality_overflow_measurements_total', metric: 'quiet_total' }, 0);
  gauge(store, { __name__: 'ALERTS', alertname: 'HighErrors', alertstate: 'firing', route: '/a' }, 1);
  gauge(store, { __name__: 'ALERTS', alertname: 'SlowDisk', alertstate: 'pending' }, 1);
  return store;
}

describe('computeServiceStats', () => {
  it('summarises requests, routes, runtime, pools, dependencies, cardinality and alerts from the store', () => {
    const stats = computeServiceStats(filledStore(), '5m', END_MS);
    // Rates: per-step increments / 15 s. GET /a: 1/s + 0.2/s, POST /b: 2/s.
    expect(stats.http.requestsPerSecond).toBeCloseTo(3.2, 9);
    expect(stats.http.errorRatio).toBeCloseTo(0.2 / 3.2, 9);
    // All routes: 3.0/s under 0.1 s, 3.2/s under 1 s. p95 rank 0.95 * 3.2 = 3.04 falls in (0.1, 1].
    expect(stats.http.latencySeconds.p95).toBeCloseTo(interpolate(0.1, 1, 3.0, 0.2, 0.95 * 3.2), 9);
    expect(stats.http.routes).toEqual([
      {
        method: 'POST',
        route: '/b',
        requestsPerSecond: expect.closeTo(2, 9),
        errorRatio: 0,
        latencyP95Seconds: expect.closeTo(interpolate(0, 0.1, 0, 2, 0.95 * 2), 9),
      },
      {
        method: 'GET',
        route: '/a',
        requestsPerSecond: expect.closeTo(1.2, 9),
        errorRatio: expect.closeTo(0.2 / 1.2, 9),
        latencyP95Seconds: expect.closeTo(interpolate(0.1, 1, 1, 0.2, 0.95 * 1.2), 9),
      },
    ]);
    expect(stats.runtime.cpuCores).toBeCloseTo((1.5 + 0.75) / 15, 9);
    expect(stats.runtime.memoryBytes).toBe(1e8);
    expect(stats.runtime.heapUsedBytes).toBe(3.1e7);
    expect(stats.runtime.eventLoopDelayP99Seconds).toBe(0.012);
    expect(stats.runtime.uptimeSeconds).toBeNull(); // not recorded in this store
    expect(stats.pools).toEqual([
      {
        labels: { pool_name: 'workers', queue: 'emails' },
        idle: 3,
        used: 5,
        unhealthy: 1,
        pending: 2,
        limit: 10,
        waitP95Seconds: null,
        timeoutsPerSecond: expect.closeTo(0.2, 9),
      },
    ]);
    expect(stats.dependencies).toEqual([
      { labels: { dependency_name: 'pg' }, up: false, checkP95Seconds: null },
      { labels: { dependency_name: 'redis' }, up: true, checkP95Seconds: null },
    ]);
    expect(stats.cardinality).toEqual({
      series: { requests_total: 2000, quiet_total: 12 },
      overflowing: ['requests_total'],
    });
    expect(stats.alerts).toEqual([{ alertname: 'HighErrors', labels: { route: '/a' } }]);
    expect(stats.queries.httpRequestsPerSecond).toBe(
      'sum(rate(http_server_request_duration_seconds_count[5m])) or sum(histogram_count(rate(http_server_request_duration_seconds[5m])))',
    );
    expect(stats.window).toBe('5m');
    expect(stats.time).toBe(new Date(END_MS).toISOString());
  });

  it('reads exponential histograms stored as native histograms as it reads classic ones', () => {
    const store = new SampleStore();
    // Schema 0: bucket -3 is (0.0625, 0.125], bucket 0 is (0.5, 1]. Per step: GET /a 15 fast and 3 slow
    // failing requests, POST /b 30 fast ones, as the classic store above.
    const native = (labels: Labels, fastPerStep: number, slowPerStep: number) => {
      for (let i = 0; i <= STEPS; i++) {
        const fast = 1_000 + i * fastPerStep;
        const slow = 1_000 + i * slowPerStep;
        store.appendHistogram(
          { __name__: 'http_server_request_duration_seconds', ...labels },
          END_MS - (STEPS - i) * STEP_MS,
          new FloatHistogram({
            count: fast + slow,
            sum: 0.1 * fast + 0.75 * slow,
            positiveSpans: [{ offset: -3, length: 4 }],
            positiveBuckets: [fast, 0, 0, slow],
          }),
        );
      }
    };
    native(http('/a', 'GET', '200'), 15, 0);
    native(http('/a', 'GET', '500'), 0, 3);
    native(http('/b', 'POST', '201'), 30, 0);
    const stats = computeServiceStats(store, '5m', END_MS);
    expect(stats.http.requestsPerSecond).toBeCloseTo(3.2, 9);
    expect(stats.http.errorRatio).toBeCloseTo(0.2 / 3.2, 9);
    // Rank 0.5 * 3.2 lies among the 3.0/s fast requests, rank 0.95 * 3.2 among the 0.2/s slow ones.
    expect(stats.http.latencySeconds.p50).toBeGreaterThan(0.0625);
    expect(stats.http.latencySeconds.p50).toBeLessThanOrEqual(0.125);
    expect(stats.http.latencySeconds.p95).toBeGreaterThan(0.5);
    expect(stats.http.latencySeconds.p95).toBeLessThanOrEqual(1);
    expect(
      stats.http.routes.map(({ method, route, requestsPerSecond, errorRatio }) => ({
        method,
        route,
        requestsPerSecond,
        errorRatio,
      })),
    ).toEqual([
      { method: 'POST', route: '/b', requestsPerSecond: expect.closeTo(2, 9), errorRatio: 0 },
      {
        method: 'GET',
        route: '/a',
        requestsPerSecond: expect.closeTo(1.2, 9),
        errorRatio: expect.closeTo(0.2 / 1.2, 9),
      },
    ]);
    expect(stats.http.routes[0]?.latencyP95Seconds).toBeLessThanOrEqual(0.125);
  });

  it('gives empty parts and nulls, not errors, for a store without those metrics', () => {
    const stats = computeServiceStats(new SampleStore(), '1m', END_MS);
    expect(stats.http).toEqual({
      requestsPerSecond: null,
      errorRatio: null,
      latencySeconds: { p50: null, p95: null, p99: null },
      routes: [],
    });
    expect(stats.pools).toEqual([]);
    expect(stats.dependencies).toEqual([]);
    expect(stats.alerts).toEqual([]);
    expect(Object.values(stats.runtime).every((v) => v === null)).toBe(true);
  });
});

describe('the /v1/stats handler', () => {
  async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const handler = createStatsHandler({ store: filledStore(), now: () => END_MS });
    return new Promise((resolve) => {
      let status = 0;
      const res = {
        writeHead(code: number) {
          status = code;
          return res;
        },
        end(text: string) {
          resolve({ status, body: JSON.parse(text) as Record<string, unknown> });
        },
      };
      handler({ url } as IncomingMessage, res as unknown as ServerResponse);
    });
  }

  it('answers over the window the caller asks for, 5m by default', async () => {
    expect((await get('/v1/stats')).body.window).toBe('5m');
    const { status, body } = await get('/v1/stats?window=2m');
    expect(status).toBe(200);
    expect(body.window).toBe('2m');
    expect((body.http as { requestsPerSecond: number }).requestsPerSecond).toBeCloseTo(3.2, 9);
  });

  it('refuses a window that is not a duration from 10s to 24h, naming the parameter', async () => {
    for (const window of ['5', 'soon', '1s', '2d']) {
      const { status, body } = await get(`/v1/stats?window=${window}`);
      expect(status, window).toBe(400);
      expect(body.error).toMatch(/^window: expected a duration from 10s to 24h/);
    }
  });
});
