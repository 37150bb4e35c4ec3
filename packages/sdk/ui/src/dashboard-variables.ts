/**
 * Template variables as Grafana's Prometheus data source fills and interpolates them: `label_values(metric,
 * label)` (or `label_values(label)`) from `/api/v1/label/<label>/values`, several values as a regex
 * alternation, and the built-ins `$__interval`, `$__rate_interval` and `$__range`.
 */
import { api } from './api.ts';
import type { Variable } from './dashboard-config.ts';

/** The interval Grafana assumes between scrapes when it knows none; `$__rate_interval` is at least 4 of them. */
const SCRAPE_INTERVAL_SECONDS = 15;

/** The values a variable may take, from its query. */
export async function variableOptions(variable: Variable, start: number, end: number): Promise<string[]> {
  const match = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(
    variable.query,
  );
  if (match === null)
    throw new Error(`variable ${variable.name}: only label_values(...) queries are supported`);
  const [, selector, label] = match;
  return api<string[]>(`label/${label}/values`, {
    start: String(start),
    end: String(end),
    ...(selector === undefined ? {} : { 'match[]': selector }),
  });
}

/**
 * The value of a variable with nothing to choose from: a regex no label value matches, not even the empty one,
 * so panels show no data rather than everything. Prometheus's regexes are RE2, which has no `(?!)`: any
 * character followed by the start of the text is impossible, and needs no escaping in a PromQL string.
 */
export const MATCH_NOTHING = '.^';

/** A value as a literal inside a regex matcher, as Grafana escapes it. */
function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');
}

/** What a variable's selection becomes in a query: one value as is, several (or All) as `(a|b)`. */
export function variableText(selected: readonly string[]): string {
  if (selected.length === 1) return selected[0]!;
  return `(${selected.map(regexEscape).join('|')})`;
}

/** Replaces `$name`, `${name}` and the interval built-ins in `expr`. */
export function interpolate(
  expr: string,
  values: ReadonlyMap<string, string>,
  range: { readonly seconds: number; readonly step: number },
): string {
  const builtins = new Map([
    ['__interval', `${range.step}s`],
    ['__rate_interval', `${Math.max(range.step + SCRAPE_INTERVAL_SECONDS, 4 * SCRAPE_INTERVAL_SECONDS)}s`],
    ['__range', `${Math.round(range.seconds)}s`],
  ]);
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      return builtins.get(name) ?? values.get(name) ?? whole;
    },
  );
}
