/**
 * The dashboards the UI draws: the DashboardConfig files that `yardstick dashboard` turns into Grafana JSON,
 * read at build time, and those the service adds at run time (`telemetry.addDashboard`, served at
 * `/ui/dashboards.json`), with the same defaults as that command's schema (a timeseries panel, unit `short`,
 * 12 of 24 columns, 8 rows high; last 6 hours, refreshed every 30 s).
 */

/** A colour from `value` upwards; the base step has no value. */
export interface Threshold {
  readonly value: number | null;
  readonly color: string;
}

/** A panel: a visualization of one or more PromQL queries. */
export interface Panel {
  readonly title: string;
  readonly type: 'timeseries' | 'stat' | 'table' | 'heatmap' | 'gauge';
  readonly description: string | undefined;
  readonly unit: string;
  readonly queries: ReadonlyArray<{ readonly expr: string; readonly legend: string | undefined }>;
  readonly legend: 'bottom' | 'right' | 'hidden';
  readonly thresholds: readonly Threshold[];
  readonly width: number;
  readonly height: number;
}

/** A template variable filled from `label_values(...)`. */
export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly query: string;
  readonly multi: boolean;
  readonly includeAll: boolean;
}

/** A dashboard as the UI renders it. */
export interface Dashboard {
  readonly title: string;
  readonly uid: string;
  readonly description: string | undefined;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly variables: readonly Variable[];
  readonly panels: readonly Panel[];
}

type Raw = Record<string, unknown>;

const PANEL_TYPES = ['timeseries', 'stat', 'table', 'heatmap', 'gauge'] as const;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): Raw[] {
  return Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === 'object') as Raw[]) : [];
}

function panelOf(raw: Raw): Panel {
  const type = PANEL_TYPES.find((t) => t === raw.type) ?? 'timeseries';
  const legend = raw.legend === 'right' || raw.legend === 'hidden' ? raw.legend : 'bottom';
  return {
    title: text(raw.title) ?? '',
    type,
    description: text(raw.description),
    unit: text(raw.unit) ?? 'short',
    queries: list(raw.queries).map((q) => ({ expr: text(q.expr) ?? '', legend: text(q.legend) })),
    legend,
    thresholds: list(raw.thresholds).map((t) => ({
      value: typeof t.value === 'number' ? t.value : null,
      color: text(t.color) ?? 'green',
    })),
    width: typeof raw.width === 'number' ? raw.width : 12,
    height: typeof raw.height === 'number' ? raw.height : 8,
  };
}

/** The dashboards built into the bundle, as read at build time (unvalidated). */
export const BUILT_IN_DASHBOARDS: readonly unknown[] = YARDSTICK_DASHBOARDS;

/** The service's run-time dashboards, from the same origin (so with the page's credentials). */
export async function fetchRunTimeDashboards(): Promise<unknown[]> {
  const response = await fetch('/ui/dashboards.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status} from /ui/dashboards.json`);
  const body: unknown = await response.json();
  return Array.isArray(body) ? body : [];
}

/** Dashboards with the schema's defaults filled in; a later one replaces an earlier one of the same uid. */
export function dashboardsOf(raw: readonly unknown[]): Dashboard[] {
  const byUid = new Map<string, Dashboard>();
  for (const dashboard of normalize(raw)) {
    byUid.delete(dashboard.uid);
    byUid.set(dashboard.uid, dashboard);
  }
  return [...byUid.values()];
}

function normalize(raw: readonly unknown[]): Dashboard[] {
  return list(raw).map((d, i) => {
    const time = (d.time ?? {}) as Raw;
    const title = text(d.title) ?? `Dashboard ${i + 1}`;
    return {
      title,
      uid: text(d.uid) ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      description: text(d.description),
      time: { from: text(time.from) ?? 'now-6h', to: text(time.to) ?? 'now' },
      refresh: text(d.refresh) ?? '30s',
      variables: list(d.variables).map((v) => ({
        name: text(v.name) ?? '',
        label: text(v.label) ?? text(v.name) ?? '',
        query: text(v.query) ?? '',
        multi: v.multi === true,
        includeAll: v.includeAll === true,
      })),
      panels: list(d.panels).map(panelOf),
    };
  });
}
