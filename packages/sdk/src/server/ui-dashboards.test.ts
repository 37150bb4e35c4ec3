import { describe, expect, it } from 'vitest';
import { YardstickError } from '../errors.ts';
import { createUiDashboards, MAX_UI_DASHBOARDS, type UiDashboardConfig } from './ui-dashboards.ts';

const CHECKOUT: UiDashboardConfig = {
  title: 'Checkout',
  uid: 'checkout',
  variables: [{ name: 'job', query: 'label_values(up, job)', includeAll: true }],
  panels: [{ title: 'Requests', type: 'stat', queries: [{ expr: 'sum(rate(http_requests_total[5m]))' }] }],
};

function problem(dashboard: unknown): string {
  try {
    createUiDashboards().add(dashboard as UiDashboardConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(YardstickError);
    expect((error as YardstickError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected add() to refuse the dashboard');
}

describe('run-time dashboards of the web UI', () => {
  it('serves nothing until a dashboard is added, then the dashboards in the order they came', () => {
    const dashboards = createUiDashboards();
    expect(JSON.parse(dashboards.json())).toEqual([]);
    dashboards.add(CHECKOUT);
    dashboards.add({ title: 'Queue', panels: [{ title: 'Depth', queries: [{ expr: 'queue_depth' }] }] });
    expect(JSON.parse(dashboards.json()).map((d: UiDashboardConfig) => d.title)).toEqual([
      'Checkout',
      'Queue',
    ]);
  });

  it('replaces a dashboard of the same uid, or of the same title when it has no uid', () => {
    const dashboards = createUiDashboards();
    dashboards.add(CHECKOUT);
    dashboards.add({ ...CHECKOUT, title: 'Checkout v2' });
    dashboards.add({ title: 'Queue', panels: [{ title: 'Depth', queries: [{ expr: 'a' }] }] });
    dashboards.add({ title: 'Queue', panels: [{ title: 'Depth', queries: [{ expr: 'b' }] }] });
    const served = JSON.parse(dashboards.json()) as UiDashboardConfig[];
    expect(served.map((d) => d.title)).toEqual(['Checkout v2', 'Queue']);
    expect(served[1]!.panels[0]!.queries[0]!.expr).toBe('b');
  });

  it('refuses a dashboard the UI could not draw, naming the dashboard and the field', () => {
    expect(problem(null)).toBe('addDashboard("?"): (top level): must be a DashboardConfig object');
    expect(problem({ title: '', panels: [] })).toBe('addDashboard(""): title: must be a non-empty string');
    expect(problem({ title: 'A', panels: [] })).toBe('addDashboard("A"): panels: must be a non-empty array');
    expect(problem({ title: 'A', panels: [{ title: 'P', queries: [{ expr: '' }] }] })).toBe(
      'addDashboard("A"): panels.0.queries.0.expr: must be a non-empty string',
    );
    expect(problem({ title: 'A', panels: [{ title: 'P', type: 'pie', queries: [{ expr: 'up' }] }] })).toBe(
      'addDashboard("A"): panels.0.type: must be one of timeseries, stat, table, heatmap, gauge',
    );
    expect(problem({ ...CHECKOUT, variables: [{ name: 'my-var', query: 'label_values(job)' }] })).toBe(
      'addDashboard("Checkout"): variables.0.name: must be a valid variable name',
    );
  });

  it('holds at most MAX_UI_DASHBOARDS dashboards, and no oversized one', () => {
    const dashboards = createUiDashboards();
    for (let i = 0; i < MAX_UI_DASHBOARDS; i++) dashboards.add({ ...CHECKOUT, uid: `d${i}` });
    expect(() => dashboards.add({ ...CHECKOUT, uid: 'one-more' })).toThrow(/at most 100 dashboards/);
    // Replacing one that exists still works when full.
    dashboards.add({ ...CHECKOUT, uid: 'd0', title: 'Replaced' });
    expect(dashboards.json()).toContain('"Replaced"');
    const huge = { ...CHECKOUT, description: 'x'.repeat(300 * 1024) };
    expect(() => createUiDashboards().add(huge)).toThrow(/bytes of JSON, over 262144/);
  });
});
