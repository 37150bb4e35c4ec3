/**
 * ProxyWhirl's dashboard (seed 000 T042, T111): the spec's two example panels (success rate, P95 latency) and
 * one panel per view the spec's user story asks for (success and error rates, latency, throughput by pool and
 * region, pool health, health checks, alerts), in every panel type. `contracts/grafana-dashboard.json` is
 * generated from it: `npm run dashboard -w examples/proxy-rotation`.
 */
import type { DashboardConfigInput } from './dashboard-config.ts';

/** The dashboard's variables as a matcher (Grafana expands `$pool` to a regex of the chosen values). */
const SELECTOR = 'pool=~"$pool",region=~"$region"';

/** The ProxyWhirl dashboard config. */
export const PROXYWHIRL_DASHBOARD = {
  title: 'ProxyWhirl Performance Dashboard',
  description:
    'Real-time proxy pool monitoring: success and error rates, latency, throughput, pool health, alerts.',
  time_range: { from_time: 'now-6h', to_time: 'now' },
  refresh_interval: '30s',
  tags: ['proxywhirl', 'performance', 'monitoring'],
  variables: [
    {
      name: 'pool',
      label: 'Pool',
      query: 'label_values(proxywhirl_requests_total, pool)',
      multi: true,
      include_all: true,
    },
    {
      name: 'region',
      label: 'Region',
      query: 'label_values(proxywhirl_requests_total, region)',
      multi: true,
      include_all: true,
    },
  ],
  panels: [
    {
      title: 'Request Success Rate',
      panel_type: 'graph',
      query: `sum by (pool) (rate(proxywhirl_requests_total{status="success",${SELECTOR}}[5m])) / sum by (pool) (rate(proxywhirl_requests_total{${SELECTOR}}[5m]))`,
      unit: 'percentunit',
      legend: '{{ pool }}',
    },
    {
      title: 'P95 Latency',
      panel_type: 'graph',
      query: `histogram_quantile(0.95, sum by (pool, le) (rate(proxywhirl_request_duration_seconds_bucket{${SELECTOR}}[5m])))`,
      unit: 's',
      legend: '{{ pool }}',
    },
    {
      title: 'Error Rate by Region',
      panel_type: 'graph',
      query: `sum by (region) (rate(proxywhirl_requests_total{status="error",${SELECTOR}}[5m])) / sum by (region) (rate(proxywhirl_requests_total{${SELECTOR}}[5m]))`,
      unit: 'percentunit',
      legend: '{{ region }}',
      thresholds: [{ color: 'green' }, { value: 0.05, color: 'red' }],
    },
    {
      title: 'Throughput',
      panel_type: 'stat',
      query: `sum(rate(proxywhirl_requests_total{${SELECTOR}}[5m]))`,
      unit: 'reqps',
      legend: 'requests/s',
    },
    {
      title: 'Healthy Proxies',
      panel_type: 'gauge',
      query:
        'sum(proxywhirl_pool_proxies{health_status="healthy",pool=~"$pool"}) / sum(proxywhirl_pool_proxies{pool=~"$pool"})',
      unit: 'percentunit',
      legend: 'healthy',
      thresholds: [{ color: 'red' }, { value: 0.5, color: 'orange' }, { value: 0.8, color: 'green' }],
    },
    {
      title: 'Active Alerts',
      panel_type: 'stat',
      query: 'sum(proxywhirl_alerts_active)',
      unit: 'short',
      legend: 'alerts',
      thresholds: [{ color: 'green' }, { value: 1, color: 'red' }],
    },
    {
      title: 'Requests by Pool, Region and Status (last hour)',
      panel_type: 'table',
      query: `sum by (pool, region, status) (increase(proxywhirl_requests_total{${SELECTOR}}[1h]))`,
      unit: 'short',
      legend: '{{ pool }} {{ region }} {{ status }}',
    },
    {
      title: 'Request Latency Distribution',
      panel_type: 'heatmap',
      query: `sum by (le) (rate(proxywhirl_request_duration_seconds_bucket{${SELECTOR}}[5m]))`,
      unit: 's',
      legend: '{{ le }}',
    },
    {
      title: 'Pool Proxies by Health',
      panel_type: 'graph',
      query: 'sum by (pool, health_status) (proxywhirl_pool_proxies{pool=~"$pool"})',
      unit: 'short',
      legend: '{{ pool }} {{ health_status }}',
    },
    {
      title: 'Failed Health Checks by Proxy',
      panel_type: 'table',
      query:
        'sum by (pool, proxy_id) (increase(proxywhirl_proxy_health_checks_total{result="failure",pool=~"$pool"}[1h]))',
      unit: 'short',
      legend: '{{ pool }} {{ proxy_id }}',
    },
  ],
} satisfies DashboardConfigInput;
