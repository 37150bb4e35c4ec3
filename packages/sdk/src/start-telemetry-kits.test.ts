import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackedDependency } from './kits/health/index.ts';
import { silentLogger } from './logging/logger.ts';
import { startTelemetry, type Telemetry } from './start-telemetry.ts';
import type { ServiceStats } from './stats/service-stats.ts';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

const start = (metrics?: { process?: boolean; pools?: boolean; requests?: boolean }) =>
  startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    ...(metrics ? { metrics } : {}),
  });

/** The first check starts with the tracking; waits (bounded) for its answer. */
async function waitForFirstCheck(dependency: TrackedDependency): Promise<void> {
  for (let i = 0; i < 200 && dependency.status().up === undefined; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(dependency.status().up).toBe(true);
}

const scrape = async (t: Telemetry) => (await fetch(`${t.url}/metrics`)).text();

describe('instrumentation kits through startTelemetry', () => {
  it('serves runtime, pool and dependency metrics by default', async () => {
    telemetry = await start();
    let free = 3;
    telemetry.trackPool({
      name: 'workers',
      attributes: { queue: 'emails' },
      size: () => 4,
      idle: () => free,
    });
    const redis = telemetry.trackDependency({ name: 'redis', check: async () => true, intervalMs: 60_000 });
    await waitForFirstCheck(redis);
    free = 1;
    const body = await scrape(telemetry);
    expect(body).toMatch(
      /^process_cpu_time_seconds_total\{cpu_mode="user",otel_scope_name="@yardstick\/sdk\/runtime"/m,
    );
    expect(body).toMatch(/^nodejs_eventloop_time_seconds_total\{nodejs_eventloop_state="idle"/m);
    expect(body).toMatch(
      /^pool_items\{pool_item_state="idle",pool_name="workers",queue="emails",otel_scope_name="@yardstick\/sdk\/pools"\} 1$/m,
    );
    expect(body).toMatch(
      /^pool_items\{pool_item_state="used",pool_name="workers",queue="emails",[^}]*\} 3$/m,
    );
    expect(body).toMatch(
      /^dependency_up\{dependency_name="redis",otel_scope_name="@yardstick\/sdk\/health"\} 1$/m,
    );
  });

  it("serves /v1/stats from the embedded store, with the kits' pools and dependencies in it", async () => {
    telemetry = await start();
    telemetry.trackPool({ name: 'workers', size: () => 4, idle: () => 1 });
    const redis = telemetry.trackDependency({ name: 'redis', check: async () => true, intervalMs: 60_000 });
    await waitForFirstCheck(redis);
    await telemetry.forceFlush(); // the store takes its sample now
    const res = await fetch(`${telemetry.url}/v1/stats`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as ServiceStats;
    expect(stats.runtime.memoryBytes).toBeGreaterThan(0);
    expect(stats.pools).toEqual([
      expect.objectContaining({ labels: { pool_name: 'workers' }, idle: 1, used: 3 }),
    ]);
    expect(stats.dependencies).toEqual([
      { labels: { dependency_name: 'redis' }, up: true, checkP95Seconds: null },
    ]);
    expect((await fetch(`${telemetry.url}/v1/stats?window=forever`)).status).toBe(400);
  });

  it('turns the process and pool kits off with metrics.process and metrics.pools', async () => {
    telemetry = await start({ process: false, pools: false });
    const pool = telemetry.trackPool({ name: 'workers', size: () => 4, idle: () => 2 });
    const lease = pool.acquireStarted();
    lease.acquired();
    lease.released();
    const body = await scrape(telemetry);
    expect(body).not.toMatch(/^process_cpu_time_seconds_total/m);
    expect(body).not.toMatch(/^nodejs_eventloop/m);
    expect(body).not.toMatch(/^pool_/m);
  });

  it('records HTTP server requests through the kit, and nothing with metrics.requests off', async () => {
    for (const requests of [true, false]) {
      telemetry = await start({ requests });
      const kit = telemetry.httpServerMetrics();
      const app: Server = createServer(kit.wrap((_req, res) => res.writeHead(201).end('ok')));
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      const { port } = app.address() as AddressInfo;
      await (
        await fetch(`http://127.0.0.1:${port}/orders/9f1c2a3b4c5d?token=secret`, { method: 'POST' })
      ).text();
      await new Promise<void>((resolve) => app.close(() => resolve()));
      const body = await scrape(telemetry);
      const count = body.split('\n').find((l) => l.startsWith('http_server_request_duration_seconds_count{'));
      if (requests) {
        expect(count).toMatch(/http_request_method="POST"/);
        expect(count).toMatch(/http_response_status_code="201"/);
        // A plain node:http listener has no route template: no http_route, never the path.
        expect(count).not.toMatch(/http_route=/);
        expect(count).toMatch(/ 1$/);
        expect(body).not.toContain('secret');
      } else {
        expect(count).toBeUndefined();
      }
      await telemetry.shutdown();
      telemetry = undefined;
    }
  });

  it('stops dependency checks and closes pools on shutdown', async () => {
    telemetry = await start();
    let checks = 0;
    const dependency = telemetry.trackDependency({
      name: 'db',
      check: async () => {
        checks++;
      },
      intervalMs: 20,
    });
    await new Promise((resolve) => setTimeout(resolve, 70));
    await telemetry.shutdown();
    const after = checks;
    expect(after).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(checks).toBe(after);
    expect(dependency.status().up).toBe(true);
    telemetry = undefined;
  });
});
