import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyWhirlMetrics } from './proxywhirl-metrics.ts';

let telemetry: Telemetry;
let metrics: ProxyWhirlMetrics;
const health = { eu: { healthy: 2, unhealthy: 1 }, us: { healthy: 1, unhealthy: 0 } };

beforeAll(async () => {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    store: { enabled: false },
  });
  metrics = new ProxyWhirlMetrics(telemetry.meter('proxywhirl'), { activeAlerts: () => 2 });
  metrics.addPool({ name: 'residential', healthCounts: () => health.eu });
  metrics.addPool({ name: 'residential', healthCounts: () => health.us });
});
afterAll(async () => {
  await telemetry?.shutdown();
});

const scrape = async (): Promise<string> => (await fetch(`${telemetry.url}/metrics`)).text();

describe('ProxyWhirlMetrics on /metrics', () => {
  it('serves the spec names with exactly the spec labels and default buckets', async () => {
    metrics.recordRequest('residential', 'eu-west', 'success', 0.3);
    metrics.recordRequest('residential', 'eu-west', 'error', 7);
    metrics.recordHealthCheck('residential', 'res-eu-1', 'failure');
    const body = await scrape();
    expect(body).toMatch(
      /^proxywhirl_requests_total\{pool="residential",region="eu-west",status="success"[^}]*\} 1$/m,
    );
    expect(body).toMatch(
      /^proxywhirl_requests_total\{pool="residential",region="eu-west",status="error"[^}]*\} 1$/m,
    );
    const buckets = [
      ...body.matchAll(/^proxywhirl_request_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)$/gm),
    ];
    expect(buckets.map((m) => m[1])).toEqual(['0.1', '0.5', '1', '2', '5', '10', '+Inf']);
    expect(buckets.map((m) => m[2])).toEqual(['0', '1', '1', '1', '1', '2', '2']);
    expect(body).toMatch(
      /^proxywhirl_request_duration_seconds_count\{pool="residential",region="eu-west"[^}]*\} 2$/m,
    );
    // Two regions of one pool name are summed: the spec's gauge has no region label.
    expect(body).toMatch(/^proxywhirl_pool_proxies\{health_status="healthy",pool="residential"[^}]*\} 3$/m);
    expect(body).toMatch(/^proxywhirl_pool_proxies\{health_status="unhealthy",pool="residential"[^}]*\} 1$/m);
    expect(body).toMatch(
      /^proxywhirl_proxy_health_checks_total\{pool="residential",proxy_id="res-eu-1",result="failure"[^}]*\} 1$/m,
    );
    expect(body).toMatch(/^proxywhirl_alerts_active(\{[^}]*\})? 2$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_requests_total counter$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_request_duration_seconds histogram$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_pool_proxies gauge$/m);
  });

  it('stops recording requests and pool metrics when their switches go off, and resumes', async () => {
    metrics.setSwitches({ requests: false, pools: false });
    metrics.recordRequest('residential', 'eu-west', 'success', 0.3);
    metrics.recordHealthCheck('residential', 'res-eu-1', 'failure');
    let body = await scrape();
    expect(body).toMatch(/^proxywhirl_requests_total\{[^}]*status="success"[^}]*\} 1$/m);
    expect(body).toMatch(/^proxywhirl_proxy_health_checks_total\{[^}]*\} 1$/m);
    expect(body).not.toMatch(/^proxywhirl_pool_proxies\{/m);
    metrics.setSwitches({ requests: true, pools: true });
    metrics.recordRequest('residential', 'eu-west', 'success', 0.3);
    body = await scrape();
    expect(body).toMatch(/^proxywhirl_requests_total\{[^}]*status="success"[^}]*\} 2$/m);
    expect(body).toMatch(/^proxywhirl_pool_proxies\{/m);
  });

  it('never throws on a bad duration and still counts the request', async () => {
    expect(() => metrics.recordRequest('residential', 'us-east', 'success', Number.NaN)).not.toThrow();
    const body = await scrape();
    expect(body).toMatch(
      /^proxywhirl_requests_total\{pool="residential",region="us-east",status="success"[^}]*\} 1$/m,
    );
    expect(body).not.toMatch(
      /^proxywhirl_request_duration_seconds_count\{pool="residential",region="us-east"/m,
    );
  });
});
