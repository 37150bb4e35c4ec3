/**
 * `DashboardConfig` of ProxyWhirl's data model (seed 003; seed 000 T099, T100, T108, T109): title, time
 * range, refresh, 1–50 panels of the five panel types, at most 20 variables and 10 tags, turned into Grafana
 * dashboard JSON by `@yardstick/exporter-cli`'s generator (Grafana Foundation SDK).
 */
import {
  buildDashboard,
  DashboardConfigSchema,
  type DashboardConfig as YardstickDashboardConfig,
} from '@yardstick/exporter-cli';
import { z } from 'zod';
import { queryMetricProblem } from '../metrics/metric-references.ts';
import type { ProxyMetricRegistry } from '../metrics/proxy-metric-registry.ts';

/** The spec's `PanelType`; `graph` is Grafana's time series panel. */
export const PANEL_TYPES = ['graph', 'stat', 'table', 'heatmap', 'gauge'] as const;

const thresholdSchema = z.strictObject({
  /** Lower bound of the step; `null` for the base step. */
  value: z.number().nullable().default(null),
  color: z.string().min(1),
});

const panelSchema = z.strictObject({
  title: z.string().min(1),
  panel_type: z.enum(PANEL_TYPES),
  query: z.string().min(1),
  legend: z.string().default('{{ label }}'),
  unit: z.string().min(1).default('short'),
  thresholds: z.array(thresholdSchema).default([]),
});

const variableSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a valid variable name' }),
  label: z.string().optional(),
  /** A Grafana Prometheus template query, e.g. `label_values(proxywhirl_requests_total, pool)`. */
  query: z.string().min(1),
  multi: z.boolean().default(false),
  include_all: z.boolean().default(false),
});

/** Grafana relative times (`now`, `now-6h`, `now-1d/d`) or an absolute ISO time. */
const grafanaTime = z
  .string()
  .regex(/^(now(-\d+[smhdwMy])?(\/[smhdwMy])?|\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?)$/, {
    error: 'must be a Grafana time (now, now-6h, now-1d/d) or an ISO date',
  });

/** The spec's `DashboardConfig`. */
export const dashboardConfigSchema = z.strictObject({
  title: z.string().min(3, { error: 'must be at least 3 characters' }),
  description: z.string().default(''),
  time_range: z
    .strictObject({ from_time: grafanaTime.default('now-6h'), to_time: grafanaTime.default('now') })
    .prefault({}),
  refresh_interval: z
    .string()
    .regex(/^\d+[smhd]$/, { error: 'must be a Grafana refresh interval such as 30s, 1m, 1h' })
    .default('30s'),
  panels: z
    .array(panelSchema)
    .min(1, { error: 'needs at least 1 panel' })
    .max(50, { error: 'allows at most 50 panels' }),
  variables: z.array(variableSchema).max(20, { error: 'allows at most 20 variables' }).default([]),
  tags: z.array(z.string().min(1)).max(10, { error: 'allows at most 10 tags' }).default([]),
});

/** A validated dashboard config. */
export type DashboardConfig = z.output<typeof dashboardConfigSchema>;

/** What a user may write. */
export type DashboardConfigInput = z.input<typeof dashboardConfigSchema>;

/** Options of {@link toYardstickDashboardConfig} and {@link toGrafanaDashboard}. */
export interface DashboardConfigOptions {
  /**
   * The service's ProxyMetrics: when given, every metric a panel's query selects must be one of them
   * (seed 003 cross-entity rule 2), reported at `panels.N.query`.
   */
  readonly metrics?: ProxyMetricRegistry;
}

function schemaFor(options: DashboardConfigOptions) {
  const registry = options.metrics;
  if (registry === undefined) return dashboardConfigSchema;
  return dashboardConfigSchema.superRefine((config, ctx) => {
    config.panels.forEach((panel, index) => {
      const problem = queryMetricProblem(panel.query, registry);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['panels', index, 'query'], message: problem });
      }
    });
  });
}

// Heatmaps and graphs read best wide, single values narrow: widths on Grafana's 24-column grid.
const WIDTH: Readonly<Record<(typeof PANEL_TYPES)[number], number>> = {
  graph: 12,
  heatmap: 12,
  table: 12,
  stat: 6,
  gauge: 6,
};

/**
 * The config in the form `yardstick dashboard` reads (`@yardstick/exporter-cli`'s `DashboardConfig`, validated
 * by its schema): what the Grafana generator takes, and what `telemetry.addDashboard` shows in the web UI.
 *
 * @throws ZodError when `input` breaks a rule of the spec (paths name the field: `panels.3.panel_type`)
 */
export function toYardstickDashboardConfig(
  input: DashboardConfigInput,
  options: DashboardConfigOptions = {},
): YardstickDashboardConfig {
  const config = schemaFor(options).parse(input);
  const uid = config.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return DashboardConfigSchema.parse({
    title: config.title,
    ...(uid === '' ? {} : { uid }),
    ...(config.description === '' ? {} : { description: config.description }),
    tags: config.tags,
    time: { from: config.time_range.from_time, to: config.time_range.to_time },
    refresh: config.refresh_interval,
    variables: config.variables.map((v) => ({
      name: v.name,
      ...(v.label === undefined ? {} : { label: v.label }),
      query: v.query,
      multi: v.multi,
      includeAll: v.include_all,
    })),
    panels: config.panels.map((panel) => ({
      title: panel.title,
      type: panel.panel_type === 'graph' ? 'timeseries' : panel.panel_type,
      unit: panel.unit,
      width: WIDTH[panel.panel_type],
      queries: [{ expr: panel.query, legend: panel.legend }],
      ...(panel.thresholds.length === 0 ? {} : { thresholds: panel.thresholds }),
    })),
  });
}

/**
 * Grafana dashboard JSON for a config. Every panel queries the `${datasource}` picker the generator adds,
 * so the JSON imports into any Grafana with a Prometheus (or VictoriaMetrics, or yardstick `/api/v1`) source.
 *
 * @throws ZodError when `input` breaks a rule of the spec (paths name the field: `panels.3.panel_type`)
 */
export function toGrafanaDashboard(
  input: DashboardConfigInput,
  options: DashboardConfigOptions = {},
): object {
  return buildDashboard(toYardstickDashboardConfig(input, options));
}
