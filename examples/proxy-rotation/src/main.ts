/**
 * yardstick proxy-rotation demo, ProxyWhirl's metrics spec end to end: fake proxies in two regions, three
 * pools, a client loop sending requests through them, and one proxy that goes down and comes back every
 * minute. The telemetry server is configured by the `[metrics]` table of `.proxywhirl.toml` (MetricsConfig,
 * hot-reloaded) and serves the spec's `proxywhirl_*` metrics beside the OTel kits' on `/metrics`, the embedded
 * PromQL API, and in-process alerting (the spec's AlertRules in rules/proxywhirl.alerts.yml plus the
 * Prometheus-format rules/proxies.rules.yml). Ctrl-C shuts down cleanly.
 *
 * Environment: PROXYWHIRL_CONFIG (default: the example's .proxywhirl.toml), PROXYWHIRL_ALERT_RULES (default:
 * rules/proxywhirl.alerts.yml, hot-reloaded), OTEL_EXPORTER_PROMETHEUS_PORT
 * (overrides exposition_port), PROMETHEUS_URL (the dashboard queries it first), ALERTMANAGER_URL (alerts go
 * there too), PROXY_DEMO_RPS (default 20), PROXY_DEMO_OUTAGE_MS (default 30 000), PROXY_DEMO_PERIOD_MS
 * (default 60 000), PROXY_DEMO_PORT (the status server), plus yardstick's own OTEL_ and YARDSTICK_ variables.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTelemetry } from '@yardstick/sdk';
import { ZodError } from 'zod';
import { loadAlertRuleFile, writeThresholdRuleFile } from './alerts/alert-rule-file.ts';
import { AlertStateTracker, countActiveAlerts } from './alerts/alert-state.ts';
import { watchAlertRuleFile } from './alerts/watch-alert-rule-file.ts';
import { loadMetricsConfig } from './config/load-metrics-config.ts';
import { ProxyWhirlConfigError } from './config/proxywhirl-config-error.ts';
import { toYardstickConfig } from './config/to-yardstick-config.ts';
import { watchMetricsConfig } from './config/watch-metrics-config.ts';
import { toYardstickDashboardConfig } from './dashboard/dashboard-config.ts';
import { PROXYWHIRL_DASHBOARD } from './dashboard/proxywhirl-dashboard.ts';
import { startClientLoop } from './demo/client-loop.ts';
import { type FakeProxy, startFakeProxy } from './demo/fake-proxy.ts';
import { startStatusServer } from './demo/status-server.ts';
import { ProxyWhirlMetrics, proxyWhirlMetricCatalog } from './metrics/proxywhirl-metrics.ts';
import { ProxyPool } from './pool/proxy-pool.ts';
import { type QuerySource, StaleAwareQuery } from './query/stale-aware-query.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const configFile = process.env.PROXYWHIRL_CONFIG ?? here('../.proxywhirl.toml');
const env = process.env;
const alertmanagerUrl = env.ALERTMANAGER_URL;
const rps = Number(env.PROXY_DEMO_RPS ?? 20);
const outageMs = Number(env.PROXY_DEMO_OUTAGE_MS ?? 30_000);
const periodMs = Number(env.PROXY_DEMO_PERIOD_MS ?? 60_000);

let metricsConfig: ReturnType<typeof loadMetricsConfig>;
try {
  metricsConfig = loadMetricsConfig(configFile);
} catch (error) {
  // A bad config file is the user's to fix: say where, without a stack trace.
  console.error(error instanceof ProxyWhirlConfigError ? error.message : String(error));
  process.exit(2);
}

const pools: ProxyPool[] = [];
const status = await startStatusServer(pools, Number(env.PROXY_DEMO_PORT ?? 0));
const channels = ['oncall'];
const alertRulesFile = env.PROXYWHIRL_ALERT_RULES ?? here('../rules/proxywhirl.alerts.yml');
// The spec's cross-entity rules: alert rules and dashboard panels query ProxyMetrics only. They are checked
// against the catalog of the five (their names and labels, on a no-op meter) before anything starts.
const catalog = proxyWhirlMetricCatalog();
let alertRules: ReturnType<typeof loadAlertRuleFile>;
let dashboard: ReturnType<typeof toYardstickDashboardConfig>;
try {
  alertRules = loadAlertRuleFile(alertRulesFile, { channels, metrics: catalog });
  dashboard = toYardstickDashboardConfig(PROXYWHIRL_DASHBOARD, { metrics: catalog });
} catch (error) {
  // Every problem as file:line: alerts[i].field: message (or dashboard: panel path), without a stack trace.
  const message =
    error instanceof ZodError
      ? error.issues.map((i) => `dashboard: ${i.path.join('.')}: ${i.message}`).join('\n')
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(message);
  process.exit(2);
}
// The validated rules, in the threshold form the SDK's evaluator loads (0600, removed on shutdown).
const ruleDir = mkdtempSync(join(tmpdir(), 'proxywhirl-'));
const alertRuleFile = join(ruleDir, 'proxywhirl.thresholds.yml');
writeThresholdRuleFile(alertRules, alertRuleFile);

const yardstick = toYardstickConfig(metricsConfig);
const portOverride = env.OTEL_EXPORTER_PROMETHEUS_PORT;
const telemetry = await startTelemetry({
  serviceName: 'proxywhirl',
  ...yardstick,
  server: { ...yardstick.server, ...(portOverride === undefined ? {} : { port: Number(portOverride) }) },
  alerting: {
    ruleFiles: [here('../rules/proxies.rules.yml'), alertRuleFile],
    channels: [
      // The demo's own webhook receiver, so alerts are visible without an Alertmanager...
      { name: 'oncall', type: 'webhook', url: `${status.url}alerts` },
    ],
    // ...and a real one when given.
    ...(alertmanagerUrl ? { alertmanagerUrls: [alertmanagerUrl] } : {}),
  },
});
const meter = telemetry.meter('proxy-rotation', '0.1.0');
const proxywhirl = new ProxyWhirlMetrics(telemetry.meter('proxywhirl', '0.1.0'), {
  buckets: metricsConfig.histogram_buckets,
  switches: { requests: metricsConfig.enable_request_metrics, pools: metricsConfig.enable_pool_metrics },
  activeAlerts: () => countActiveAlerts(telemetry.alerting?.evaluator.alerts() ?? []),
  labelCardinalityLimit: metricsConfig.label_cardinality_limit,
});
// The Grafana dashboard's config, drawn by yardstick's web UI too, so the demo needs no Grafana.
telemetry.addDashboard(dashboard);
const sources: QuerySource[] = [
  ...(env.PROMETHEUS_URL ? [{ name: 'prometheus', url: env.PROMETHEUS_URL }] : []),
  ...(telemetry.url ? [{ name: 'embedded', url: telemetry.url }] : []),
];
if (sources.length > 0) status.setQuery(new StaleAwareQuery({ sources }));

const configWatch = watchMetricsConfig(configFile, {
  initial: metricsConfig,
  onChange: ({ config, changed, restartRequired }) => {
    proxywhirl.setSwitches({ requests: config.enable_request_metrics, pools: config.enable_pool_metrics });
    telemetry.logger.info({ changed, restartRequired }, 'metrics config reloaded');
  },
  onError: (error) =>
    telemetry.logger.error({ err: error.message }, 'metrics config not reloaded; the previous one stays'),
});
// Hot reload of the AlertRules: each valid edit is rewritten in the threshold form, which the SDK's
// evaluator watches and reloads; an edit with a problem is logged and the rules in force stay.
const stopAlertWatch = watchAlertRuleFile(alertRulesFile, {
  channels,
  metrics: proxywhirl.registry,
  onRules: (rules) => {
    writeThresholdRuleFile(rules, alertRuleFile);
    telemetry.logger.info({ rules: rules.length }, 'alert rules reloaded');
  },
  onError: (error) =>
    telemetry.logger.error({ err: error.message }, 'alert rules not reloaded; the previous ones stay'),
});
const tracker = new AlertStateTracker(telemetry.logger);
const trackAlerts = setInterval(
  () => tracker.observe(telemetry.alerting?.evaluator.alerts() ?? [], Date.now()),
  1_000,
);
trackAlerts.unref();

// The "internet" the proxies would reach; the fake proxies answer GETs themselves, so it is only named.
const target = 'http://api.example.test/items';

// Proxies: three residential in eu-west (one with credentials), two in us-east, two datacenter in eu-west.
const layout = [
  { pool: 'residential', region: 'eu-west', names: ['res-eu-1', 'res-eu-2', 'res-eu-3'] },
  { pool: 'residential', region: 'us-east', names: ['res-us-1', 'res-us-2'] },
  { pool: 'datacenter', region: 'eu-west', names: ['dc-eu-1', 'dc-eu-2'] },
] as const;
const fakes: FakeProxy[] = [];
/** Proxy id → address without credentials: the HTTP client kit labels proxied requests by id. */
const proxyServers: Record<string, string> = {};
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
    proxyServers[name] = `http://127.0.0.1:${fake.port}`;
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
      proxywhirl,
      logger: telemetry.logger,
    }),
  );
}
// http.client.request.duration of every request through a proxy (and of the CONNECT health probes),
// server.address being the proxy's id; off with enable_request_metrics, stopped by telemetry.shutdown().
telemetry.trackHttpClientRequests({ servers: proxyServers });
const stopClients = startClientLoop(pools, target, rps);

// One proxy fails on a schedule so the health checks, the pool gauges and the alerts have something to show.
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

const successQuery = 'sum by (pool, region, status) (proxywhirl_requests_total)';
console.log(`yardstick proxy-rotation (ProxyWhirl) demo is running
  pools:     ${status.url}  (${pools.length} pools, ${fakes.length} fake proxies, ~${rps} requests/s)
  dashboard: ${status.url}dashboard  (fresh / degraded / stale / unavailable)
  alerts:    ${status.url}alerts  (the oncall channel's webhook)
  web UI:    ${telemetry.url}/dashboards?uid=${dashboard.uid}  (the ProxyWhirl dashboard, no Grafana needed)
  metrics:   ${telemetry.url}${metricsConfig.exposition_path}
  PromQL:    ${telemetry.url}/api/v1/query?query=${encodeURIComponent(successQuery)}
  config:    ${configFile}  (edit [metrics]: switches apply live)
  outage:    res-eu-3 goes down every ${periodMs / 1000}s for ${outageMs / 1000}s
Press Ctrl-C to stop.`);

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received, shutting down`);
  clearTimeout(outageTimer);
  clearInterval(trackAlerts);
  configWatch.close();
  stopAlertWatch();
  await stopClients();
  for (const pool of pools) pool.close();
  await Promise.all(fakes.map((f) => f.stop()));
  await status.close();
  await telemetry.shutdown();
  rmSync(ruleDir, { recursive: true, force: true });
  console.log('stopped cleanly');
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
