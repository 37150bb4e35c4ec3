/**
 * Turns a {@link DashboardConfig} into Grafana dashboard JSON with the Grafana Foundation SDK. Every panel
 * queries the `${datasource}` variable (a Prometheus data source picker added to every dashboard), so the same
 * JSON works against Prometheus, VictoriaMetrics or yardstick's embedded `/api/v1` registered in Grafana.
 */
import {
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanelBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as HeatmapPanelBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardConfig } from './dashboard-config.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, resolved by Grafana.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const GRID_COLUMNS = 24;

type PanelConfig = DashboardConfig['panels'][number];

function panelBuilder(type: PanelConfig['type']) {
  switch (type) {
    case 'stat':
      return new StatPanelBuilder();
    case 'table':
      return new TablePanelBuilder();
    case 'heatmap':
      return new HeatmapPanelBuilder();
    case 'gauge':
      return new GaugePanelBuilder();
    default:
      return new TimeseriesPanelBuilder();
  }
}

function buildPanel(panel: PanelConfig, id: number, position: { x: number; y: number }) {
  const builder = panelBuilder(panel.type);
  builder
    .id(id)
    .title(panel.title)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .gridPos({ x: position.x, y: position.y, w: panel.width, h: panel.height });
  if (panel.description) builder.description(panel.description);
  panel.queries.forEach((query, index) => {
    const target = new DataqueryBuilder()
      .expr(query.expr)
      .refId(String.fromCharCode(65 + index))
      .datasource(DATASOURCE);
    // A table shows the latest value per series; a heatmap needs Prometheus's buckets as Grafana's heatmap frame.
    if (panel.type === 'table') target.instant().format(PromQueryFormat.Table);
    else if (panel.type === 'heatmap') target.range().format(PromQueryFormat.Heatmap);
    else target.range();
    if (query.legend) target.legendFormat(query.legend);
    builder.withTarget(target);
  });
  if (panel.thresholds) {
    builder.thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps(panel.thresholds.map((t) => ({ value: t.value, color: t.color }))),
    );
  }
  if (builder instanceof TimeseriesPanelBuilder) {
    const legend = new VizLegendOptionsBuilder().showLegend(panel.legend !== 'hidden');
    legend.displayMode(panel.legend === 'hidden' ? LegendDisplayMode.Hidden : LegendDisplayMode.List);
    legend.placement(panel.legend === 'right' ? LegendPlacement.Right : LegendPlacement.Bottom);
    builder.legend(legend);
  }
  return builder;
}

/**
 * Builds the Grafana dashboard model. Panels flow left to right on Grafana's 24-column grid, wrapping to a new
 * row when the next panel does not fit. Deterministic: the same config always gives the same JSON.
 *
 * @example
 * const json = JSON.stringify(buildDashboard(DashboardConfigSchema.parse(YAML.parse(text))), null, 2);
 */
export function buildDashboard(config: DashboardConfig): Dashboard {
  const dashboard = new DashboardBuilder(config.title)
    .tags(config.tags)
    .time({ from: config.time.from, to: config.time.to })
    .refresh(config.refresh)
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  if (config.uid) dashboard.uid(config.uid);
  if (config.description) dashboard.description(config.description);
  for (const variable of config.variables) {
    const builder = new QueryVariableBuilder(variable.name)
      .query(variable.query)
      .datasource(DATASOURCE)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .multi(variable.multi)
      .includeAll(variable.includeAll);
    if (variable.label) builder.label(variable.label);
    dashboard.withVariable(builder);
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  config.panels.forEach((panel, index) => {
    if (x + panel.width > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    dashboard.withPanel(buildPanel(panel, index + 1, { x, y }));
    x += panel.width;
    rowHeight = Math.max(rowHeight, panel.height);
  });
  return dashboard.build();
}
