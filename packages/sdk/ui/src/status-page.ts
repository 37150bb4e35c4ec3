/**
 * The status page (`/status`): build and runtime information, the configuration without its secrets, the
 * store's size, and cardinality: series by
 * metric (metrics that reached their series limit, with an `otel_metric_overflow` series, highlighted),
 * label names by distinct values and the label pairs with the most series.
 */
import { api, instantQuery } from './api.ts';
import { h, replace } from './dom.ts';

interface NameCount {
  readonly name: string;
  readonly value: number;
}

interface TsdbStatus {
  readonly headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    minTime: number;
    maxTime: number;
  };
  readonly seriesCountByMetricName: NameCount[];
  readonly labelValueCountByLabelName: NameCount[];
  readonly seriesCountByLabelValuePair: NameCount[];
}

function facts(title: string, entries: ReadonlyArray<readonly [string, unknown]>): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, title),
    h(
      'table',
      { class: 'facts' },
      h(
        'tbody',
        {},
        ...entries.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, String(v)))),
      ),
    ),
  );
}

function counts(
  title: string,
  rows: readonly NameCount[],
  highlight: ReadonlySet<string> = new Set(),
): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, title),
    h(
      'table',
      { 'data-testid': title },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Count'))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            { class: highlight.has(row.name) ? 'overflow' : undefined },
            h(
              'td',
              {},
              row.name,
              highlight.has(row.name) ? h('span', { class: 'badge firing' }, 'series limit reached') : null,
            ),
            h('td', { class: 'value' }, row.value),
          ),
        ),
      ),
    ),
  );
}

/** Names of the metrics that hold an overflow series (their series limit was reached). */
async function overflowingMetrics(): Promise<Set<string>> {
  const data = await instantQuery('count by (__name__) ({otel_metric_overflow="true"})', Date.now() / 1000);
  if (data.resultType !== 'vector') return new Set();
  return new Set(data.result.map((s) => s.metric.__name__ ?? ''));
}

/** Renders the status page into `main`. */
export async function renderStatusPage(main: HTMLElement): Promise<void> {
  replace(main, h('h1', {}, 'Status'), h('p', { class: 'status' }, 'Loading…'));
  const [build, runtime, config, tsdb, overflow] = await Promise.all([
    api<Record<string, string>>('status/buildinfo'),
    api<Record<string, unknown>>('status/runtimeinfo'),
    api<{ yaml: string }>('status/config'),
    api<TsdbStatus>('status/tsdb', { limit: '20' }),
    overflowingMetrics(),
  ]);
  const { headStats } = tsdb;
  replace(
    main,
    h('h1', {}, 'Status'),
    h(
      'div',
      { class: 'columns' },
      facts('Build', [
        ['yardstick', build.yardstickVersion ?? ''],
        ['Node.js', build.nodeVersion ?? ''],
        ['Prometheus API version', build.version ?? ''],
      ]),
      facts('Runtime', [
        ['Started', runtime.startTime],
        ['Working directory', runtime.CWD],
        ['Retention', runtime.storageRetention || 'default'],
      ]),
      facts('Store', [
        ['Series', headStats.numSeries],
        ['Label pairs', headStats.numLabelPairs],
        ['Chunks', headStats.chunkCount],
        ['Oldest sample', headStats.minTime ? new Date(headStats.minTime).toLocaleString() : 'none'],
        ['Newest sample', headStats.maxTime ? new Date(headStats.maxTime).toLocaleString() : 'none'],
      ]),
    ),
    h(
      'details',
      { class: 'config' },
      h('summary', {}, 'Configuration (secrets redacted)'),
      h('pre', { 'data-testid': 'config' }, config.yaml),
    ),
    counts('Series by metric', tsdb.seriesCountByMetricName, overflow),
    counts('Distinct values by label', tsdb.labelValueCountByLabelName),
    counts('Series by label pair', tsdb.seriesCountByLabelValuePair),
  );
}
