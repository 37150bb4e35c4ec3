import { describe, expect, it } from 'vitest';
import { buildDashboard } from './build-dashboard.ts';
import { parseDashboardConfig } from './load-dashboard-config.ts';

/** The parts of Grafana's panel JSON these tests read. */
interface PanelJson {
  type: string;
  fieldConfig: { defaults: { unit?: string; thresholds?: unknown } };
  targets: { refId: string; expr: string; legendFormat?: string; datasource?: { uid?: string } }[];
  options: { legend?: Record<string, unknown> };
}

const CONFIG = `
title: Checkout
uid: checkout
tags: [shop]
time: { from: now-24h, to: now }
refresh: 1m
variables:
  - { name: job, label: Service, query: 'label_values(up, job)', multi: true }
panels:
  - title: Rate
    unit: reqps
    width: 16
    queries:
      - { expr: 'sum(rate(http_server_request_duration_seconds_count{job="$job"}[$__rate_interval]))', legend: all }
  - title: Errors
    type: stat
    unit: percentunit
    width: 8
    thresholds: [{ color: green }, { value: 0.05, color: red }]
    queries: [{ expr: 'sum(up)' }, { expr: 'count(up)' }]
  - title: Wraps to the next row
    legend: hidden
    queries: [{ expr: up }]
`;

describe('buildDashboard', () => {
  const dashboard = buildDashboard(parseDashboardConfig(CONFIG, 'dash.yaml'));

  it('carries title, uid, tags, time range and refresh', () => {
    expect(dashboard).toMatchObject({
      title: 'Checkout',
      uid: 'checkout',
      tags: ['shop'],
      time: { from: 'now-24h', to: 'now' },
      refresh: '1m',
    });
  });

  it('adds a data source picker before the configured variables', () => {
    const list = dashboard.templating?.list ?? [];
    expect(list.map((v) => [v.type, v.name])).toEqual([
      ['datasource', 'datasource'],
      ['query', 'job'],
    ]);
    expect(list[1]).toMatchObject({ query: 'label_values(up, job)', multi: true, label: 'Service' });
  });

  it('lays panels out on the 24-column grid, wrapping when a panel does not fit', () => {
    const positions = (dashboard.panels ?? []).map((p) => ('gridPos' in p ? p.gridPos : undefined));
    expect(positions).toEqual([
      { x: 0, y: 0, w: 16, h: 8 },
      { x: 16, y: 0, w: 8, h: 8 },
      { x: 0, y: 8, w: 12, h: 8 },
    ]);
  });

  it('gives each panel its type, unit, thresholds and PromQL targets with ref ids and legends', () => {
    const [rate, errors, wrapped] = dashboard.panels as unknown as PanelJson[];
    expect(rate!.type).toBe('timeseries');
    expect(rate!.fieldConfig.defaults.unit).toBe('reqps');
    expect(rate!.targets[0]).toMatchObject({
      refId: 'A',
      legendFormat: 'all',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax.
      datasource: { uid: '${datasource}' },
    });
    expect(errors!.type).toBe('stat');
    expect(errors!.targets.map((t) => [t.refId, t.expr])).toEqual([
      ['A', 'sum(up)'],
      ['B', 'count(up)'],
    ]);
    expect(errors!.fieldConfig.defaults.thresholds).toEqual({
      mode: 'absolute',
      steps: [
        { value: null, color: 'green' },
        { value: 0.05, color: 'red' },
      ],
    });
    expect(wrapped!.options.legend).toMatchObject({ showLegend: false, displayMode: 'hidden' });
  });
});

describe('buildDashboard panel types', () => {
  it('builds table, heatmap and gauge panels with the query format each visualization reads', () => {
    const text = `
title: Types
panels:
  - { title: Latest, type: table, queries: [{ expr: 'sum by (job) (up)' }] }
  - { title: Latency, type: heatmap, unit: s, queries: [{ expr: 'sum by (le) (rate(x_bucket[5m]))', legend: '{{le}}' }] }
  - { title: Healthy, type: gauge, unit: percentunit, queries: [{ expr: 'avg(up)' }] }
`;
    const [table, heatmap, gauge] = buildDashboard(parseDashboardConfig(text, 'dash.yaml'))
      .panels as unknown as (PanelJson & {
      targets: { instant?: boolean; range?: boolean; format?: string }[];
    })[];
    expect(table!.type).toBe('table');
    expect(table!.targets[0]).toMatchObject({ expr: 'sum by (job) (up)', instant: true, format: 'table' });
    expect(heatmap!.type).toBe('heatmap');
    expect(heatmap!.fieldConfig.defaults.unit).toBe('s');
    expect(heatmap!.targets[0]).toMatchObject({ range: true, format: 'heatmap', legendFormat: '{{le}}' });
    expect(gauge!.type).toBe('gauge');
    expect(gauge!.targets[0]).toMatchObject({ expr: 'avg(up)', range: true });
  });
});

describe('parseDashboardConfig', () => {
  it('names the line of a YAML syntax error', () => {
    expect(() => parseDashboardConfig('title: x\npanels: [\n  - a: b\n', 'dash.yaml')).toThrow(
      /^dash\.yaml:\d+:\d+: /,
    );
  });

  it('refuses a YAML alias bomb and duplicate keys at their line instead of a raw error', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`,
      );
    expect(() => parseDashboardConfig(`${bomb.join('\n')}\n`, 'dash.yaml')).toThrow(
      /^dash\.yaml:\d+:\d+: .*alias/i,
    );
    expect(() => parseDashboardConfig('title: x\ntitle: y\n', 'dash.yaml')).toThrow(
      /^dash\.yaml:2:1: duplicate key "title"/,
    );
  });

  it('names the path of a schema error', () => {
    expect(() =>
      parseDashboardConfig('title: x\npanels:\n  - title: p\n    queries: []\n', 'dash.yaml'),
    ).toThrow(/^dash\.yaml: panels\.0\.queries: /);
  });

  it('rejects PromQL that does not parse, naming the query', () => {
    const text =
      'title: x\npanels:\n  - title: p\n    queries: [{ expr: "sum(rate(up[$__rate_interval])" }]\n';
    expect(() => parseDashboardConfig(text, 'dash.yaml')).toThrow(
      /panels\.0\.queries\.0\.expr: PromQL syntax error/,
    );
  });
});
