/**
 * The query page's state in the URL, with Prometheus's parameter names (`/graph?g0.expr=…&g0.tab=1`), so
 * an alert's `generatorURL`, a template's `graphLink`/`tableLink` and a link copied from Prometheus open the
 * same view here.
 */

/** Which view of a panel: Prometheus writes `g0.tab=0` for the graph and `g0.tab=1` for the table. */
export type QueryTab = 'graph' | 'table';

/** One query panel's state. */
export interface QueryState {
  readonly expr: string;
  readonly tab: QueryTab;
  /** Range of the graph, a PromQL duration such as `1h`. */
  readonly range: string;
  /** End of the graph, or of the table's instant: empty for now, else a date-time as typed. */
  readonly end: string;
  /** Graph resolution in seconds; empty for automatic. */
  readonly step: string;
}

/** The default range, as Prometheus's. */
export const DEFAULT_RANGE = '1h';

/** Reads the first panel (`g0.*`) of a query string. */
export function readQueryState(search: string): QueryState {
  const params = new URLSearchParams(search);
  return {
    expr: params.get('g0.expr') ?? '',
    tab: params.get('g0.tab') === '1' ? 'table' : 'graph',
    range: params.get('g0.range_input') || DEFAULT_RANGE,
    end: params.get('g0.end_input') ?? params.get('g0.moment_input') ?? '',
    step: params.get('g0.step_input') ?? '',
  };
}

/** Writes the state as Prometheus does (empty values left out). */
export function writeQueryState(state: QueryState): string {
  const params = new URLSearchParams();
  params.set('g0.expr', state.expr);
  params.set('g0.tab', state.tab === 'table' ? '1' : '0');
  params.set('g0.range_input', state.range);
  if (state.end !== '') params.set(state.tab === 'table' ? 'g0.moment_input' : 'g0.end_input', state.end);
  if (state.step !== '') params.set('g0.step_input', state.step);
  return `?${params.toString()}`;
}

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

/** Seconds of a PromQL duration (`1h30m`, `90s`), or undefined when it is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(ms|[smhdwy]))+$/.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, count, unit] of trimmed.matchAll(/(\d+)(ms|[smhdwy])/g))
    seconds += Number(count) * (UNIT_SECONDS[unit!] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** Seconds since the epoch of an end as typed (empty: now), or undefined when it does not parse. */
export function parseEndSeconds(text: string, nowMs: number): number | undefined {
  if (text.trim() === '') return nowMs / 1000;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Prometheus's automatic resolution: about 250 points over the range, at least 1 s. */
export function autoStepSeconds(rangeSeconds: number): number {
  return Math.max(Math.floor(rangeSeconds / 250), 1);
}
