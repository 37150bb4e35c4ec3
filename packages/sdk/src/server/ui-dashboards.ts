/**
 * Dashboards a service gives the web UI at run time (`telemetry.addDashboard`), beside the ones built into the
 * bundle. They are the `DashboardConfig` objects `yardstick dashboard` turns into Grafana JSON: the caller
 * reads and validates its files with `@yardstick/exporter-cli`'s `loadDashboardConfig` (file:line errors) or
 * its `DashboardConfigSchema`, since the sdk does not depend on the CLI package. Here only the shape the UI
 * draws is checked, with the field at fault named, so a hand-built object fails at the call and not in a
 * browser. The UI reads them from `/ui/dashboards.json`, behind the same auth and address rules as its pages.
 */
import { YardstickError } from '../errors.ts';

/** A panel of a {@link UiDashboardConfig}; the defaults are those of `yardstick dashboard`. */
export interface UiDashboardPanel {
  readonly title: string;
  /** Default `timeseries`. */
  readonly type?: 'timeseries' | 'stat' | 'table' | 'heatmap' | 'gauge' | undefined;
  readonly description?: string | undefined;
  /** A Grafana unit id (`reqps`, `s`, `bytes`, `percentunit`); default `short`. */
  readonly unit?: string | undefined;
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend?: string | undefined }>;
  readonly legend?: 'bottom' | 'right' | 'hidden' | undefined;
  readonly thresholds?: ReadonlyArray<{ readonly value?: number | null; readonly color: string }> | undefined;
  /** Grid columns out of 24 (default 12). */
  readonly width?: number | undefined;
  /** Grid rows (default 8). */
  readonly height?: number | undefined;
}

/**
 * A dashboard as `yardstick dashboard` reads it (`DashboardConfig` of `@yardstick/exporter-cli`): a parsed
 * config of that package is accepted as it is.
 */
export interface UiDashboardConfig {
  readonly title: string;
  readonly uid?: string | undefined;
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  /** Grafana relative times; default the last 6 hours. */
  readonly time?: { readonly from: string; readonly to: string } | undefined;
  /** Auto-refresh interval (`30s`, `1m`); default `30s`. */
  readonly refresh?: string | undefined;
  readonly variables?:
    | ReadonlyArray<{
        readonly name: string;
        readonly label?: string | undefined;
        /** `label_values(metric, label)` or `label_values(label)`. */
        readonly query: string;
        readonly multi?: boolean | undefined;
        readonly includeAll?: boolean | undefined;
      }>
    | undefined;
  readonly panels: readonly UiDashboardPanel[];
}

/** At most this many run-time dashboards: `/ui/dashboards.json` stays bounded. */
export const MAX_UI_DASHBOARDS = 100;

/** At most this many characters of JSON per dashboard (a 50-panel config is about 20 KB). */
const MAX_DASHBOARD_JSON = 256 * 1024;

const PANEL_TYPES: readonly string[] = ['timeseries', 'stat', 'table', 'heatmap', 'gauge'];

function fail(title: string, path: string, message: string): never {
  throw new YardstickError('CONFIG_INVALID', `addDashboard(${JSON.stringify(title)}): ${path}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requireText(title: string, path: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') fail(title, path, 'must be a non-empty string');
}

/** Checks what the UI needs of a dashboard; throws naming the field. */
function checkDashboard(dashboard: unknown): void {
  if (!isObject(dashboard)) fail('?', '(top level)', 'must be a DashboardConfig object');
  const title = typeof dashboard.title === 'string' ? dashboard.title : '?';
  requireText(title, 'title', dashboard.title);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0)
    fail(title, 'panels', 'must be a non-empty array');
  dashboard.panels.forEach((panel: unknown, p) => {
    if (!isObject(panel)) fail(title, `panels.${p}`, 'must be an object');
    requireText(title, `panels.${p}.title`, panel.title);
    if (panel.type !== undefined && !PANEL_TYPES.includes(panel.type as string))
      fail(title, `panels.${p}.type`, `must be one of ${PANEL_TYPES.join(', ')}`);
    if (!Array.isArray(panel.queries) || panel.queries.length === 0)
      fail(title, `panels.${p}.queries`, 'must be a non-empty array');
    panel.queries.forEach((query: unknown, q) => {
      requireText(title, `panels.${p}.queries.${q}.expr`, isObject(query) ? query.expr : undefined);
    });
  });
  if (dashboard.variables !== undefined) {
    if (!Array.isArray(dashboard.variables)) fail(title, 'variables', 'must be an array');
    dashboard.variables.forEach((variable: unknown, v) => {
      if (!isObject(variable) || typeof variable.name !== 'string' || !/^[a-zA-Z_]\w*$/.test(variable.name))
        fail(title, `variables.${v}.name`, 'must be a valid variable name');
      requireText(title, `variables.${v}.query`, variable.query);
    });
  }
}

/** The run-time dashboards of one telemetry server. */
export interface UiDashboards {
  /**
   * Adds a dashboard (a dashboard with the same `uid`, or the same title when it has none, is replaced).
   * @throws YardstickError `CONFIG_INVALID` naming the field at fault, or when there are too many
   */
  add(dashboard: UiDashboardConfig): void;
  /** The dashboards as the UI reads them, in the order they were added. */
  json(): string;
}

/** Creates an empty set of run-time dashboards. */
export function createUiDashboards(): UiDashboards {
  const byKey = new Map<string, string>();
  let cached: string | undefined;
  return {
    add(dashboard) {
      checkDashboard(dashboard);
      const json = JSON.stringify(dashboard);
      if (json.length > MAX_DASHBOARD_JSON)
        fail(dashboard.title, '(top level)', `is ${json.length} bytes of JSON, over ${MAX_DASHBOARD_JSON}`);
      const key = dashboard.uid ?? `title:${dashboard.title}`;
      if (!byKey.has(key) && byKey.size >= MAX_UI_DASHBOARDS)
        fail(dashboard.title, '(top level)', `no room: at most ${MAX_UI_DASHBOARDS} dashboards`);
      byKey.set(key, json);
      cached = undefined;
    },
    json() {
      cached ??= `[${[...byKey.values()].join(',')}]`;
      return cached;
    },
  };
}
