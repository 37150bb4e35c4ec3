/**
 * yardstick proxy-rotation demo: fake proxies in two regions, three pools, a client loop sending requests
 * through them, and one proxy that goes down and comes back every minute. `/metrics`, the embedded PromQL
 * API and in-process alerting (rules/proxies.rules.yml) on 127.0.0.1:9464. Ctrl-C shuts down cleanly.
 *
 * Environment: PROXY_DEMO_RPS (default 20), PROXY_DEMO_OUTAGE_MS (how long the proxy stays down, default
 * 30 000), PROXY_DEMO_PERIOD_MS (time between outages, default 60 000), ALERTMANAGER_URL (send alerts
 * there), plus yardstick's own OTEL_ and YARDSTICK_ variables.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startTelemetry } from '@yardstick/sdk';
import { startClientLoop } from './demo/client-loop.ts';
import { type FakeProxy, startFakeProxy } from './demo/fake-proxy.ts';
import { ProxyPool } from './pool/proxy-pool.ts';

const rules = fileURLToPath(new URL('../rules/proxies.rules.yml', import.meta.url));
const alertmanagerUrl = process.env.ALERTMANAGER_URL;
const rps = Number(process.env.PROXY_DEMO_RPS ?? 20);
const outageMs = Number(process.env.PROXY_DEMO_OUTAGE_MS ?? 30_000);
const periodMs = Number(process.env.PROXY_DEMO_PERIOD_MS ?? 60_000);

const telemetry = await startTelemetry({
  serviceName: 'yardstick-proxy-rotation',
  alerting: {
    ruleFiles: [rules],
    ...(alertmanagerUrl ? { alertmanagerUrls: [alertmanagerUrl] } : {}),
  },
});
const meter = telemetry.meter('proxy-rotation', '0.1.0');

// The "internet" the proxies would reach; the fake proxies answer GETs themselves, so it is only named.
const target = 'http://api.example.test/items';

// Proxies: three residential in eu-west (one with credentials), two in us-east, two datacenter in eu-west.
const layout = [
  { pool: 'residential', region: 'eu-west', names: ['res-eu-1', 'res-eu-2', 'res-eu-3'] },
  { pool: 'residential', region: 'us-east', names: ['res-us-1', 'res-us-2'] },
  { pool: 'datacenter', region: 'eu-west', names: ['dc-eu-1', 'dc-eu-2'] },
] as const;
const fakes: FakeProxy[] = [];
const pools: ProxyPool[] = [];
for (const { pool, region, names } of layout) {
  const specs = [];
  for (const name of names) {
    const credentials = name === 'res-eu-1' ? 'demo:s3cret-password' : undefined;
    const fake = await startFakeProxy({
      name,
      delayMs: 5 + Math.random() * 40,
      ...(credentials ? { credentials } : {}),
    });
    fakes.push(fake);
    const auth = credentials ? `${credentials}@` : '';
    specs.push({ id: name, url: `http://${auth}127.0.0.1:${fake.port}` });
  }
  pools.push(
    new ProxyPool({
      name: pool,
      region,
      proxies: specs,
      strategy: pool === 'datacenter' ? 'least-used' : 'round-robin',
      maxInFlightPerProxy: 4,
      health: { intervalMs: 2_000, timeoutMs: 1_000, unhealthyAfter: 2, healthyAfter: 2 },
      meter,
      logger: telemetry.logger,
    }),
  );
}
const stopClients = startClientLoop(pools, target, rps);

// One proxy fails on a schedule so the health checks, the pool gauges and the alert have something to show.
const flaky = fakes.find((f) => f.name === 'res-eu-3')!;
let stopping = false;
let outageTimer: ReturnType<typeof setTimeout> | undefined;
const scheduleOutage = (): void => {
  // Each step checks `stopping`, so no step started before Ctrl-C brings the proxy back after shutdown.
  if (stopping) return;
  outageTimer = setTimeout(() => {
    void flaky.stop();
    outageTimer = setTimeout(() => {
      if (!stopping) void flaky.start().then(scheduleOutage);
    }, outageMs);
  }, periodMs);
};
scheduleOutage();

// A tiny status page: each pool's proxies with health and load, as the library sees them.
const status = createServer((_req, res) => {
  const body = pools.map((p) => ({
    pool: p.name,
    region: p.region,
    strategy: p.strategy,
    proxies: p.status(),
  }));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
});
await new Promise<void>((resolve) =>
  status.listen(Number(process.env.PROXY_DEMO_PORT ?? 0), '127.0.0.1', resolve),
);
const statusUrl = `http://127.0.0.1:${(status.address() as AddressInfo).port}/`;
const healthyQuery = 'sum by (pool_name, region) (pool_items{pool_item_state!="unhealthy"})';

console.log(`yardstick proxy-rotation demo is running
  pools:    ${statusUrl}  (${pools.length} pools, ${fakes.length} fake proxies, ~${rps} requests/s)
  metrics:  ${telemetry.url}/metrics
  PromQL:   ${telemetry.url}/api/v1/query?query=${encodeURIComponent(healthyQuery)}
  alerts:   ${telemetry.url}/api/v1/query?query=ALERTS
  outage:   res-eu-3 goes down every ${periodMs / 1000}s for ${outageMs / 1000}s
Press Ctrl-C to stop.`);

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received, shutting down`);
  clearTimeout(outageTimer);
  await stopClients();
  for (const pool of pools) pool.close();
  await Promise.all(fakes.map((f) => f.stop()));
  await new Promise<void>((resolve) => status.close(() => resolve()));
  await telemetry.shutdown();
  console.log('stopped cleanly');
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
