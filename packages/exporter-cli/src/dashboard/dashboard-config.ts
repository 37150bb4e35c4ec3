/**
 * The small YAML dashboard config `yardstick dashboard` reads: title, time range, refresh, tags, variables and
 * panels with PromQL. Validated with zod at the edge; errors name the YAML path.
 */
import { z } from 'zod';

const Threshold = z.object({
  /** Lower bound of the step; omitted for the base step. */
  value: z.number().nullable().default(null),
  color: z.string().min(1),
});

const Query = z.object({
  expr: z.string().min(1),
  legend: z.string().optional(),
});

const Panel = z.object({
  title: z.string().min(1),
  /** Grafana visualization: time series, single stat, table (instant), heatmap (histogram buckets) or gauge. */
  type: z.enum(['timeseries', 'stat', 'table', 'heatmap', 'gauge']).default('timeseries'),
  description: z.string().optional(),
  /** Grafana unit id: `reqps`, `s`, `bytes`, `percentunit`, `short`... */
  unit: z.string().default('short'),
  queries: z.array(Query).min(1),
  legend: z.enum(['bottom', 'right', 'hidden']).default('bottom'),
  thresholds: z.array(Threshold).optional(),
  /** Grid columns out of 24. */
  width: z.number().int().min(1).max(24).default(12),
  height: z.number().int().min(1).max(40).default(8),
});

const Variable = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a valid variable name'),
  label: z.string().optional(),
  /** A Prometheus template query, e.g. `label_values(up, job)`. */
  query: z.string().min(1),
  multi: z.boolean().default(false),
  includeAll: z.boolean().default(false),
});

/** The dashboard config file's schema. */
export const DashboardConfigSchema = z.object({
  title: z.string().min(1),
  uid: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, _ or -')
    .optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
  time: z.object({ from: z.string(), to: z.string() }).default({ from: 'now-6h', to: 'now' }),
  refresh: z.string().default('30s'),
  variables: z.array(Variable).default([]),
  panels: z.array(Panel).min(1),
});

/** A validated dashboard config. */
export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;
