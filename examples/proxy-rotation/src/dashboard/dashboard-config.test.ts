import { readFileSync } from 'node:fs';
import { promqlExprValidator } from '@yardstick/alert-evaluator';
import { describe, expect, it } from 'vitest';
import {
  type DashboardConfigInput,
  dashboardConfigSchema,
  PANEL_TYPES,
  toGrafanaDashboard,
} from './dashboard-config.ts';
import { PROXYWHIRL_DASHBOARD } from './proxywhirl-dashboard.ts';
import { DASHBOARD_CONTRACT, dashboardContractText } from './write-dashboard.ts';

interface PanelJson {
  type: string;
  title: string;
  targets: { expr: string; legendFormat?: string }[];
  fieldConfig: { defaults: { unit?: string } };
}

const panel = {
  title: 'Requests',
  panel_type: 'graph',
  query: 'sum(rate(proxywhirl_requests_total[5m]))',
} as const;
const minimal: DashboardConfigInput = { title: 'ProxyWhirl', panels: [panel] };

function issues(input: unknown): string[] {
  const parsed = dashboardConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** The spec's metric names (`ProxyMetric`), which dashboard panels must reference. */
const SPEC_METRICS = new Set([
  'proxywhirl_requests_total',
  'proxywhirl_request_duration_seconds_bucket',
  'proxywhirl_pool_proxies',
  'proxywhirl_proxy_health_checks_total',
  'proxywhirl_alerts_active',
]);

describe('DashboardConfig', () => {
  it("fills in the spec's defaults", () => {
    expect(dashboardConfigSchema.parse(minimal)).toEqual({
      title: 'ProxyWhirl',
      description: '',
      time_range: { from_time: 'now-6h', to_time: 'now' },
      refresh_interval: '30s',
      panels: [{ ...panel, legend: '{{ label }}', unit: 'short', thresholds: [] }],
      variables: [],
      tags: [],
    });
  });

  it.each([
    [{ title: 'PW' }, 'title: must be at least 3 characters'],
    [{ panels: [] }, 'panels: needs at least 1 panel'],
    [{ panels: Array(51).fill(panel) }, 'panels: allows at most 50 panels'],
    [
      { variables: Array(21).fill({ name: 'pool', query: 'label_values(pool)' }) },
      'variables: allows at most 20 variables',
    ],
    [{ tags: Array(11).fill('t') }, 'tags: allows at most 10 tags'],
    [{ refresh_interval: 'often' }, 'refresh_interval: must be a Grafana refresh interval'],
    [{ time_range: { from_time: 'yesterday' } }, 'time_range.from_time: must be a Grafana time'],
    [{ panels: [{ ...panel, panel_type: 'pie' }] }, 'panels.0.panel_type:'],
    [{ variables: [{ name: 'bad name', query: 'x' }] }, 'variables.0.name: must be a valid variable name'],
  ])('refuses %o', (change, expected) => {
    expect(issues({ ...minimal, ...change }).join('\n')).toContain(expected);
  });

  it('accepts the limits themselves: 50 panels, 20 variables, 10 tags', () => {
    const input = {
      ...minimal,
      panels: Array(50).fill(panel),
      variables: Array.from({ length: 20 }, (_, i) => ({ name: `v${i}`, query: 'label_values(pool)' })),
      tags: Array(10).fill('t'),
    };
    expect(issues(input)).toEqual([]);
    expect((toGrafanaDashboard(input) as { panels: unknown[] }).panels).toHaveLength(50);
  });

  it('turns each panel type into its Grafana visualization with query, legend and unit', () => {
    const dashboard = toGrafanaDashboard({
      ...minimal,
      panels: PANEL_TYPES.map((type) => ({
        ...panel,
        title: type,
        panel_type: type,
        unit: 's',
        legend: '{{ pool }}',
      })),
    }) as { panels: PanelJson[] };
    expect(dashboard.panels.map((p) => p.type)).toEqual(['timeseries', 'stat', 'table', 'heatmap', 'gauge']);
    for (const p of dashboard.panels) {
      expect(p.targets[0]).toMatchObject({ expr: panel.query, legendFormat: '{{ pool }}' });
      expect(p.fieldConfig.defaults.unit).toBe('s');
    }
  });
});

describe('contracts/grafana-dashboard.json', () => {
  const committed = readFileSync(DASHBOARD_CONTRACT, 'utf8');
  const dashboard = JSON.parse(committed) as {
    title: string;
    tags: string[];
    refresh: string;
    panels: PanelJson[];
    templating: { list: { name: string }[] };
  };

  it('is what the ProxyWhirl DashboardConfig generates (run `npm run dashboard -w examples/proxy-rotation`)', () => {
    // Compared as data: biome formats the committed file its own way.
    expect(dashboard).toEqual(JSON.parse(dashboardContractText()));
  });

  it('has every panel type, the pool and region variables, and the spec example panels', () => {
    expect(new Set(dashboard.panels.map((p) => p.type))).toEqual(
      new Set(['timeseries', 'stat', 'table', 'heatmap', 'gauge']),
    );
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Request Success Rate', 'P95 Latency']),
    );
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'pool', 'region']);
    expect(dashboard).toMatchObject({
      title: 'ProxyWhirl Performance Dashboard',
      tags: ['proxywhirl', 'performance', 'monitoring'],
      refresh: '30s',
    });
  });

  it('queries only the spec metrics, each query valid PromQL once Grafana fills in its variables', () => {
    for (const p of PROXYWHIRL_DASHBOARD.panels) {
      const expr = p.query.replaceAll('$pool', '.*').replaceAll('$region', '.*');
      const check = promqlExprValidator(expr);
      expect(check.error, p.title).toBeUndefined();
      expect(check.metricNames?.length, p.title).toBeGreaterThan(0);
      for (const name of check.metricNames ?? []) expect(SPEC_METRICS, `${p.title}: ${name}`).toContain(name);
    }
  });
});
