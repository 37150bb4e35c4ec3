import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROXYWHIRL_DASHBOARD } from './dashboard/proxywhirl-dashboard.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-demo-'));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The spec's metrics (seed 000 T028, T055) and exactly the labels each carries. */
const SPEC_LABELS: Readonly<Record<string, readonly string[]>> = {
  proxywhirl_requests_total: ['pool', 'region', 'status'],
  proxywhirl_request_duration_seconds_bucket: ['le', 'pool', 'region'],
  proxywhirl_request_duration_seconds_count: ['pool', 'region'],
  proxywhirl_pool_proxies: ['health_status', 'pool'],
  proxywhirl_proxy_health_checks_total: ['pool', 'proxy_id', 'result'],
  proxywhirl_alerts_active: [],
};

/** Label names of each sample line of `name`, without the instrumentation scope every OTel metric carries. */
function labelSets(body: string, name: string): string[][] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) =>
      [...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)]
        .map((m) => m[1]!)
        .filter((label) => !label.startsWith('otel_scope_'))
        .sort(),
    );
}

function startDemo(env: Record<string, string>): {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const proc = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: { ...process.env, YARDSTICK_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

describe('the proxy-rotation demo (npm start)', () => {
  it('serves the spec names with exactly their labels beside the OTel kit metrics, its status pages, and stops cleanly', async () => {
    const demo = startDemo({
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      PROXY_DEMO_PERIOD_MS: '500',
      PROXY_DEMO_OUTAGE_MS: '8000',
    });
    const unhealthy = /^proxywhirl_pool_proxies\{health_status="unhealthy",pool="residential"[^}]*\} 1$/m;
    let body = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(unhealthy.test(body) && /^proxywhirl_requests_total\{/m.test(body))) {
      await new Promise((r) => setTimeout(r, 200));
      const url = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(demo.output())?.[1];
      if (url !== undefined) body = await (await fetch(url)).text();
    }
    expect(body).toMatch(unhealthy);
    for (const [name, labels] of Object.entries(SPEC_LABELS)) {
      const sets = labelSets(body, name);
      expect(sets.length, name).toBeGreaterThan(0);
      for (const set of sets) expect(set, name).toEqual(labels);
    }
    expect(body).toMatch(/^# TYPE proxywhirl_requests_total counter$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_request_duration_seconds histogram$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_pool_proxies gauge$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_proxy_health_checks_total counter$/m);
    expect(body).toMatch(/^# TYPE proxywhirl_alerts_active gauge$/m);
    const buckets = [
      ...body.matchAll(/^proxywhirl_request_duration_seconds_bucket\{pool="datacenter"[^}]*le="([^"]+)"/gm),
    ];
    expect(buckets.map((m) => m[1])).toEqual(['0.1', '0.5', '1', '2', '5', '10', '+Inf']);
    expect(body).toMatch(
      /^proxywhirl_proxy_health_checks_total\{pool="residential",proxy_id="res-eu-3",result="failure"/m,
    );
    // The OTel semantic-convention metrics of the kits stay.
    expect(body).toMatch(
      /^pool_items\{pool_item_state="unhealthy",pool_name="residential",region="eu-west"[^}]*\} 1$/m,
    );
    expect(body).toMatch(/^proxy_requests_total\{outcome="success",pool_name="datacenter"/m);
    expect(body).toMatch(/^# TYPE nodejs_eventloop_delay_/m);
    expect(body).not.toContain('s3cret-password');
    // Proxied requests through the SDK's HTTP client kit, by proxy id, never by address.
    expect(body).toMatch(
      /^http_client_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="200",server_address="dc-eu-1",url_scheme="http",/m,
    );
    expect(body).not.toContain('127.0.0.1');

    const statusUrl = /pools:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(demo.output())?.[1];
    expect(statusUrl).toBeDefined();
    const pools = (await (await fetch(statusUrl!)).json()) as { pool: string; region: string }[];
    expect(pools.map((p) => `${p.pool}/${p.region}`)).toEqual([
      'residential/eu-west',
      'residential/us-east',
      'datacenter/eu-west',
    ]);
    const dashboard = (await (await fetch(`${statusUrl}dashboard`)).json()) as Record<
      string,
      { status: string; source: string }
    >;
    expect(dashboard.proxies_by_health).toMatchObject({ status: 'fresh', source: 'embedded' });
    // The Grafana dashboard's config is on yardstick's web UI as well, at the address the demo prints.
    const webUi = /web UI:\s+(http:\/\/127\.0\.0\.1:\d+)\/dashboards\?uid=([\w-]+)/.exec(demo.output());
    expect(webUi?.[2]).toBe('proxywhirl-performance-dashboard');
    expect((await fetch(`${webUi![1]}/dashboards?uid=${webUi![2]}`)).status).toBe(200);
    const uiDashboards = (await (await fetch(`${webUi![1]}/ui/dashboards.json`)).json()) as Array<{
      title: string;
      uid: string;
      panels: Array<{ title: string }>;
    }>;
    expect(uiDashboards.map((d) => d.uid)).toEqual(['proxywhirl-performance-dashboard']);
    expect(uiDashboards[0]!.panels.map((p) => p.title)).toEqual(
      PROXYWHIRL_DASHBOARD.panels.map((p) => p.title),
    );

    demo.proc.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toContain('stopped cleanly');
  }, 40_000);

  it('takes its telemetry settings from .proxywhirl.toml and refuses a bad one with file, line and field', async () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[metrics]\nexposition_port = 8000\n');
    const demo = startDemo({ PROXYWHIRL_CONFIG: bad });
    expect(await demo.exited).toBe(2);
    expect(demo.output().trim()).toBe(
      `${bad}:2: metrics.exposition_port: must not be the API port (8000): the metrics endpoint needs its own port`,
    );

    const good = join(dir, 'good.toml');
    writeFileSync(
      good,
      '[metrics]\nexposition_host = "127.0.0.1"\nexposition_port = 9100\nexposition_path = "/pw"\nenable_process_metrics = false\n',
    );
    const second = startDemo({ PROXYWHIRL_CONFIG: good, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    let url: string | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && url === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      url = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/pw)\s/.exec(second.output())?.[1];
    }
    expect(url, second.output()).toBeDefined();
    const body = await (await fetch(url!)).text();
    expect(body).toMatch(/^# TYPE proxywhirl_alerts_active gauge$/m);
    expect(body).not.toMatch(/^# TYPE nodejs_eventloop_delay_/m);
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 40_000);

  it('refuses at start an alert rule whose query names no ProxyMetric, with file, line and field', async () => {
    const rules = join(dir, 'unknown-metric.yml');
    writeFileSync(
      rules,
      'alerts:\n  - name: pool_items_low\n    query: sum(pool_items)\n    threshold: 1\n    comparison: less_than\n    severity: info\n    summary: "Pool items are low"\n    description: "Fewer pool items than expected"\n    notification_channels: [oncall]\n',
    );
    const demo = startDemo({ PROXYWHIRL_ALERT_RULES: rules, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    expect(await demo.exited).toBe(2);
    expect(demo.output().trim()).toBe(
      `${rules}:3: alerts[0].query: metric "pool_items" is not a ProxyMetric (defined: proxywhirl_requests_total, proxywhirl_request_duration_seconds, proxywhirl_pool_proxies, proxywhirl_proxy_health_checks_total, proxywhirl_alerts_active)`,
    );
  }, 40_000);

  it('reloads its AlertRules when the file changes, and refuses a bad one at start with file, line and field', async () => {
    const rules = join(dir, 'alerts.yml');
    const alert = (name: string, threshold: number) =>
      `  - name: ${name}\n    query: sum(proxywhirl_alerts_active)\n    threshold: ${threshold}\n    comparison: greater_than\n    duration: 1m\n    severity: info\n    summary: "${name} summary text"\n    description: "${name} description, long enough"\n    notification_channels: [oncall]\n`;
    writeFileSync(rules, `alerts:\n${alert('first_rule', 0)}`);
    const refused = startDemo({ PROXYWHIRL_ALERT_RULES: rules, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    expect(await refused.exited).toBe(2);
    expect(refused.output().trim()).toBe(`${rules}:4: alerts[0].threshold: must be > 0`);

    writeFileSync(rules, `alerts:\n${alert('first_rule', 1)}`);
    const demo = startDemo({ PROXYWHIRL_ALERT_RULES: rules, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    const ruleNames = async (): Promise<string[]> => {
      const base = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(demo.output())?.[1];
      if (base === undefined) return [];
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
        data: { groups: Array<{ rules: Array<{ name: string }> }> };
      };
      return body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    };
    const waitFor = async (name: string) => {
      const deadline = Date.now() + 20_000;
      let names: string[] = [];
      while (Date.now() < deadline && !names.includes(name)) {
        await new Promise((r) => setTimeout(r, 200));
        names = await ruleNames();
      }
      return names;
    };
    expect(await waitFor('first_rule')).toContain('first_rule');
    writeFileSync(rules, `alerts:\n${alert('first_rule', 1)}${alert('second_rule', 2)}`);
    expect(await waitFor('second_rule')).toEqual(expect.arrayContaining(['first_rule', 'second_rule']));
    demo.proc.kill('SIGINT');
    expect(await demo.exited).toBe(0);
  }, 60_000);
});
