/** The instant table: one row per series (labels, value), or the scalar or string value. */
import type { QueryData } from './api.ts';
import { formatSeries, h } from './dom.ts';

/** Rows shown at most; the caption says how many more there were (a browser slows on huge tables). */
const MAX_ROWS = 1_000;

/** Renders an instant query's data as a table. */
export function createTableView(data: QueryData): HTMLElement {
  const rows: Array<[string, string]> = [];
  if (data.resultType === 'vector' || data.resultType === 'matrix') {
    for (const series of data.result) {
      const value =
        series.value?.[1] ?? series.histogram?.[1].count ?? `${series.values?.length ?? 0} samples`;
      rows.push([formatSeries(series.metric), series.histogram ? `histogram, count ${value}` : value]);
    }
  } else {
    rows.push([data.resultType, data.result[1]]);
  }
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length - shown.length;
  return h(
    'table',
    { class: 'result-table', 'data-testid': 'result-table' },
    h(
      'caption',
      {},
      more > 0 ? `${rows.length} results, the first ${MAX_ROWS} shown` : `${rows.length} results`,
    ),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Series'), h('th', { scope: 'col' }, 'Value'))),
    h(
      'tbody',
      {},
      ...(shown.length === 0
        ? [h('tr', {}, h('td', { colspan: 2, class: 'empty' }, 'Empty query result'))]
        : shown.map(([series, value]) =>
            h('tr', {}, h('td', { class: 'series' }, series), h('td', { class: 'value' }, value)),
          )),
    ),
  );
}
