import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertRuleInput, validateAlertRules } from '../alerts/alert-rule.ts';
import { loadAlertRuleFile } from '../alerts/alert-rule-file.ts';
import { toYardstickDashboardConfig } from '../dashboard/dashboard-config.ts';
import { PROXYWHIRL_DASHBOARD } from '../dashboard/proxywhirl-dashboard.ts';
import { exportCli } from '../export/export-cli.ts';
import { createHistoricalExport } from '../export/historical-export.ts';
import { queryMetricProblem } from './metric-references.ts';
import { proxyWhirlMetricCatalog } from './proxywhirl-metrics.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-references-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const metrics = proxyWhirlMetricCatalog();
const DEFINED =
  '(defined: proxywhirl_requests_total, proxywhirl_request_duration_seconds, proxywhirl_pool_proxies, proxywhirl_proxy_health_checks_total, proxywhirl_alerts_active)';

describe('queries must select ProxyMetrics (seed 003 cross-entity validation)', () => {
  it('accepts the series of every ProxyMetric, histogram buckets included, and names the unknown ones', () => {
    expect(
      queryMetricProblem(
        'histogram_quantile(0.95, sum by (le) (rate(proxywhirl_request_duration_seconds_bucket[5m]))) / on() group_left sum(proxywhirl_alerts_active)',
        metrics,
      ),
    ).toBeUndefined();
    expect(
      queryMetricProblem('rate(proxy_requests_total[5m]) / rate(proxywhirl_requests_total[5m])', metrics),
    ).toBe(`metric "proxy_requests_total" is not a ProxyMetric ${DEFINED}`);
    expect(queryMetricProblem('pool_items + up + pool_items', metrics)).toBe(
      `metrics "pool_items", "up" are not ProxyMetrics ${DEFINED}`,
    );
    expect(queryMetricProblem('vector(1)', metrics)).toBe(
      `selects no metric by name: it must query a ProxyMetric ${DEFINED}`,
    );
    expect(queryMetricProblem('sum(', metrics)).toMatch(/^is not valid PromQL: /);
  });
});

describe('AlertRule.query', () => {
  const rule = (query: string): AlertRuleInput => ({
    name: 'proxy_pool_high_error_rate',
    query,
    threshold: 0.05,
    comparison: 'greater_than',
    severity: 'warning',
    summary: 'High error rate in proxy pool',
    description: 'Error rate is above 5% over 5 minutes',
    notification_channels: ['oncall'],
  });

  it('must use metric names defined as ProxyMetric, reported at the rule and line', () => {
    expect(() =>
      validateAlertRules([rule('rate(proxywhirl_requests_total{status="error"}[5m])')], {
        channels: ['oncall'],
        metrics,
      }),
    ).not.toThrow();
    expect(() =>
      validateAlertRules([rule('rate(proxywhirl_request_total[5m])')], { channels: ['oncall'], metrics }),
    ).toThrow(`alerts[0].query: metric "proxywhirl_request_total" is not a ProxyMetric ${DEFINED}`);
    // Without the service's ProxyMetrics (a rule file checked on its own) only the spec's field rules apply.
    expect(() =>
      validateAlertRules([rule('rate(proxywhirl_request_total[5m])')], { channels: ['oncall'] }),
    ).not.toThrow();

    const file = join(dir, 'alerts.yml');
    writeFileSync(
      file,
      `alerts:\n  - name: ok_rule\n    query: sum(proxywhirl_alerts_active)\n    threshold: 1\n    comparison: greater_than\n    severity: info\n    summary: "Alerts are firing"\n    description: "At least one alert is firing now"\n    notification_channels: [oncall]\n  - name: typo_rule\n    query: sum(proxywhirl_pool_proxy)\n    threshold: 1\n    comparison: greater_than\n    severity: info\n    summary: "A typo in the metric"\n    description: "This rule names a metric that does not exist"\n    notification_channels: [oncall]\n`,
    );
    expect(() => loadAlertRuleFile(file, { channels: ['oncall'], metrics })).toThrow(
      `${file}:11: alerts[1].query: metric "proxywhirl_pool_proxy" is not a ProxyMetric ${DEFINED}`,
    );
  });

  it("holds for the example's own rule file", () => {
    const file = fileURLToPath(new URL('../../rules/proxywhirl.alerts.yml', import.meta.url));
    expect(loadAlertRuleFile(file, { channels: ['oncall'], metrics }).length).toBeGreaterThan(0);
  });
});

describe('DashboardPanel.query', () => {
  it("holds for ProxyWhirl's dashboard, and a panel on another metric is refused at panels.N.query", () => {
    expect(toYardstickDashboardConfig(PROXYWHIRL_DASHBOARD, { metrics }).panels).toHaveLength(
      PROXYWHIRL_DASHBOARD.panels.length,
    );
    const panels = [
      ...PROXYWHIRL_DASHBOARD.panels,
      { title: 'Pool items', panel_type: 'graph' as const, query: 'sum(pool_items)' },
    ];
    let issues: string[] = [];
    try {
      toYardstickDashboardConfig({ ...PROXYWHIRL_DASHBOARD, panels }, { metrics });
    } catch (error) {
      issues = (error as { issues: { path: PropertyKey[]; message: string }[] }).issues.map(
        (i) => `${i.path.join('.')}: ${i.message}`,
      );
    }
    expect(issues).toEqual([
      `panels.${panels.length - 1}.query: metric "pool_items" is not a ProxyMetric ${DEFINED}`,
    ]);
  });
});

describe('HistoricalExport.metric_names', () => {
  const request = {
    requested_by: 'analyst',
    metric_names: ['proxywhirl_requests_total', 'proxywhirl_request_duration_seconds_bucket'],
    start_time: new Date('2026-01-01T00:00:00Z'),
    end_time: new Date('2026-01-08T00:00:00Z'),
    format: 'csv' as const,
    output_path: join(dir, 'out.csv'),
  };

  it('must match ProxyMetric names (or a histogram series of one), each unknown one named', () => {
    expect(createHistoricalExport(request, { metrics }).metric_names).toEqual(request.metric_names);
    expect(() =>
      createHistoricalExport(
        {
          ...request,
          metric_names: ['proxywhirl_requests_total', 'pool_items', 'proxywhirl_requests_total_sum'],
        },
        { metrics },
      ),
    ).toThrow(
      `metric_names.1: "pool_items" is not a ProxyMetric ${DEFINED}\nmetric_names.2: "proxywhirl_requests_total_sum" is not a ProxyMetric ${DEFINED}`,
    );
  });

  it('is checked by the export command before any query, with exit 2', async () => {
    let stderr = '';
    const code = await exportCli(
      [
        ...[
          '--source',
          'http://127.0.0.1:9',
          '--metric',
          'proxy_requests_total',
          '--start=-7d',
          '--end',
          'now',
        ],
        ...['--format', 'csv', '--out', join(dir, 'cli.csv'), '--requested-by', 'ops-team'],
      ],
      { out: () => {}, err: (t) => (stderr += t) },
    );
    expect(code).toBe(2);
    expect(stderr).toBe(`metric_names.0: "proxy_requests_total" is not a ProxyMetric ${DEFINED}\n`);
  });
});
