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

describe('ProxyWhirlMetrics.registry', () => {
  it('holds the five metrics as ProxyMetrics, each with the type and labels /metrics serves', async () => {
    metrics.recordRequest('datacenter', 'eu-west', 'success', 0.2);
    metrics.recordHealthCheck('datacenter', 'dc-eu-1', 'success');
    const body = await scrape();
    const listed = metrics.registry.list();
    expect(listed.map((m) => m.name)).toEqual([
      'proxywhirl_requests_total',
      'proxywhirl_request_duration_seconds',
      'proxywhirl_pool_proxies',
      'proxywhirl_proxy_health_checks_total',
      'proxywhirl_alerts_active',
    ]);
    for (const metric of listed) {
      expect(body, metric.name).toContain(`# TYPE ${metric.name} ${metric.metric_type}\n`);
      // The label names of every sample of the metric are exactly the ProxyMetric's (plus le on buckets).
      const series = metric.metric_type === 'histogram' ? `${metric.name}_count` : metric.name;
      const lines = body.split('\n').filter((l) => l.startsWith(`${series}{`) || l.startsWith(`${series} `));
      expect(lines.length, metric.name).toBeGreaterThan(0);
      for (const line of lines) {
        const labels = [...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)]
          .map((m) => m[1]!)
          .filter((l) => !l.startsWith('otel_scope_'));
        expect(labels.sort(), line).toEqual([...metric.labels].sort());
      }
    }
  });

  it('records a label combination past label_cardinality_limit on the overflow series, losing no measurement', async () => {
    const own = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      store: { enabled: false },
    });
    try {
      const bounded = new ProxyWhirlMetrics(own.meter('proxywhirl'), { labelCardinalityLimit: 100 });
      // 100 - 5 kept for overflow = 95 real combinations in total: alerts_active takes 1 at the first
      // collection, each of the first 47 pools one of the counter and one of the histogram; the last 33
      // pools overflow on both.
      await fetch(`${own.url}/metrics`);
      for (let i = 0; i < 80; i++) bounded.recordRequest(`pool${i}`, 'eu-west', 'success', 0.2);
      expect(bounded.registry.labelCombinations).toBe(95);
      const body = await (await fetch(`${own.url}/metrics`)).text();
      const requestSeries = body.match(/^proxywhirl_requests_total\{pool="/gm) ?? [];
      expect(requestSeries).toHaveLength(47);
      expect(body).toMatch(/^proxywhirl_requests_total\{otel_metric_overflow="true"[^}]*\} 33$/m);
      expect(body).toMatch(
        /^proxywhirl_request_duration_seconds_count\{otel_metric_overflow="true"[^}]*\} 33$/m,
      );
      expect(body.match(/^proxywhirl_request_duration_seconds_count\{pool="/gm) ?? []).toHaveLength(47);
    } finally {
      await own.shutdown();
    }
  });
});
