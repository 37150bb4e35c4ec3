/**
 * Dashboard panels drawn from query results: timeseries (uPlot), stat and gauge (the last value of each
 * series, coloured by the thresholds), table (the instant result) and heatmap (histogram buckets over time
 * on a canvas, each cell the bucket's own share of the rate).
 */
import { instantQuery, type ResultSeries, rangeQuery } from './api.ts';
import type { Panel, Threshold } from './dashboard-config.ts';
import { formatSeries, h } from './dom.ts';
import { formatUnit } from './format-unit.ts';
import { createGraphView } from './graph-view.ts';
import { createTableView } from './table-view.ts';

/** The range a dashboard is showing, and each query already interpolated. */
export interface PanelContext {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly width: number;
  /** The panel's queries with the variables replaced. */
  readonly exprs: readonly string[];
}

/** A drawn panel body; `destroy()` frees a chart's listeners. */
export interface PanelBody {
  readonly element: HTMLElement;
  destroy(): void;
}

/** Pixels per grid row, as Grafana's 30 px rows. */
export const ROW_PIXELS = 30;

/** A legend format such as `{{http_route}} {{pool}}` filled from the series' labels. */
export function legendOf(format: string | undefined, metric: Record<string, string>): string {
  if (format === undefined || format === '') return formatSeries(metric);
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_whole, name: string) => metric[name] ?? '');
}

/** The colour of the highest threshold step at or below `value`. */
export function thresholdColor(thresholds: readonly Threshold[], value: number): string | undefined {
  let color: string | undefined;
  for (const step of thresholds) if (step.value === null || value >= step.value) color = step.color;
  return color;
}

function lastValue(series: ResultSeries): number {
  return Number(series.value?.[1] ?? Number.NaN);
}

async function labelledSeries(
  panel: Panel,
  exprs: readonly string[],
  run: (expr: string) => Promise<ResultSeries[]>,
): Promise<Array<{ series: ResultSeries; label: string }>> {
  const results = await Promise.all(exprs.map(run));
  return results.flatMap((series, i) =>
    series.map((s) => ({ series: s, label: legendOf(panel.queries[i]?.legend, s.metric) })),
  );
}

async function instantSeries(expr: string, time: number): Promise<ResultSeries[]> {
  const data = await instantQuery(expr, time);
  if (data.resultType === 'vector') return data.result;
  if (data.resultType === 'scalar') return [{ metric: {}, value: [data.result[0], data.result[1]] }];
  return [];
}

async function matrixSeries(expr: string, ctx: PanelContext): Promise<ResultSeries[]> {
  const data = await rangeQuery(expr, ctx.start, ctx.end, ctx.step);
  return data.resultType === 'matrix' ? data.result : [];
}

const noData = (): PanelBody => ({ element: h('p', { class: 'no-data' }, 'No data'), destroy() {} });

async function statBody(panel: Panel, ctx: PanelContext, gauge: boolean): Promise<PanelBody> {
  const values = await labelledSeries(panel, ctx.exprs, (expr) => instantSeries(expr, ctx.end));
  if (values.length === 0) return noData();
  // A gauge runs from 0 to 1 for shares, else to its highest threshold (or the value itself when above it).
  const top = panel.unit === 'percentunit' ? 1 : Math.max(0, ...panel.thresholds.map((t) => t.value ?? 0));
  const element = h(
    'div',
    { class: 'stats' },
    ...values.map(({ series, label }) => {
      const value = lastValue(series);
      const color = thresholdColor(panel.thresholds, value);
      return h(
        'div',
        { class: 'stat', 'data-testid': 'stat' },
        h(
          'div',
          { class: 'stat-value', style: color ? `color: ${color}` : undefined },
          formatUnit(value, panel.unit),
        ),
        gauge
          ? h(
              'div',
              { class: 'gauge-track' },
              h('div', {
                class: 'gauge-bar',
                style: `width: ${Math.min(100, Math.max(0, (value / (Math.max(top, value) || 1)) * 100))}%; background: ${color ?? 'var(--accent)'}`,
              }),
            )
          : null,
        label === '{}' || label === '' ? null : h('div', { class: 'stat-label' }, label),
      );
    }),
  );
  return { element, destroy() {} };
}

async function tableBody(ctx: PanelContext): Promise<PanelBody> {
  const results = await Promise.all(ctx.exprs.map((expr) => instantSeries(expr, ctx.end)));
  return { element: createTableView({ resultType: 'vector', result: results.flat() }), destroy() {} };
}

async function timeseriesBody(panel: Panel, ctx: PanelContext): Promise<PanelBody> {
  const values = await labelledSeries(panel, ctx.exprs, (expr) => matrixSeries(expr, ctx));
  if (values.length === 0) return noData();
  return createGraphView(
    values.map((v) => v.series),
    ctx,
    ctx.width,
    {
      labels: values.map((v) => v.label),
      formatValue: (v) => formatUnit(v, panel.unit),
      height: Math.max(120, panel.height * ROW_PIXELS - (panel.legend === 'hidden' ? 60 : 110)),
      legend: panel.legend !== 'hidden',
    },
  );
}

/** A bucket's `le` as a number; `+Inf` is not one to `Number()`. */
function upperBound(le: string): number {
  return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
}

/** Buckets by upper bound (`le`), each row its own count: cumulative buckets minus the one below. */
function bucketRows(
  series: readonly ResultSeries[],
  times: readonly number[],
): { bounds: string[]; rows: number[][] } {
  const sorted = series
    .filter((s) => s.metric.le !== undefined)
    .sort((a, b) => upperBound(a.metric.le!) - upperBound(b.metric.le!));
  const index = new Map(times.map((t, i) => [t, i]));
  const cumulative = sorted.map((s) => {
    const row = new Array<number>(times.length).fill(0);
    for (const [t, v] of s.values ?? []) {
      const i = index.get(t);
      if (i !== undefined) row[i] = Number(v) || 0;
    }
    return row;
  });
  const rows = cumulative.map((row, b) =>
    row.map((v, i) => Math.max(0, v - (b === 0 ? 0 : cumulative[b - 1]![i]!))),
  );
  return { bounds: sorted.map((s) => s.metric.le!), rows };
}

async function heatmapBody(panel: Panel, ctx: PanelContext): Promise<PanelBody> {
  const series = (await Promise.all(ctx.exprs.map((expr) => matrixSeries(expr, ctx)))).flat();
  const times: number[] = [];
  for (let t = ctx.start; t <= ctx.end + 1e-9; t += ctx.step) times.push(Math.round(t * 1000) / 1000);
  const { bounds, rows } = bucketRows(series, times);
  if (bounds.length === 0) return noData();
  const height = Math.max(100, panel.height * ROW_PIXELS - 70);
  const width = Math.max(ctx.width, 200);
  const canvas = h('canvas', { width, height, 'aria-label': `Heatmap of ${bounds.length} buckets` });
  const context = canvas.getContext('2d');
  const max = Math.max(...rows.flat(), 0);
  if (context !== null && max > 0) {
    const cellWidth = width / times.length;
    const cellHeight = height / bounds.length;
    rows.forEach((row, b) => {
      row.forEach((value, i) => {
        if (value <= 0) return;
        context.fillStyle = `rgba(230, 81, 0, ${0.15 + 0.85 * (value / max)})`;
        context.fillRect(
          i * cellWidth,
          height - (b + 1) * cellHeight,
          Math.ceil(cellWidth),
          Math.ceil(cellHeight),
        );
      });
    });
  }
  const element = h(
    'figure',
    { class: 'heatmap' },
    canvas,
    h(
      'figcaption',
      { class: 'graph-caption' },
      `${bounds.length} buckets, le ${bounds[0]} to ${bounds[bounds.length - 1]}`,
    ),
  );
  return { element, destroy() {} };
}

/** Queries and draws a panel's body. */
export function renderPanelBody(panel: Panel, ctx: PanelContext): Promise<PanelBody> {
  switch (panel.type) {
    case 'stat':
      return statBody(panel, ctx, false);
    case 'gauge':
      return statBody(panel, ctx, true);
    case 'table':
      return tableBody(ctx);
    case 'heatmap':
      return heatmapBody(panel, ctx);
    default:
      return timeseriesBody(panel, ctx);
  }
}
