/**
 * Seed 003 "Cross-Entity Validation" 1–3: alert rule queries, dashboard panel queries and historical
 * export metric names must name metrics defined as ProxyMetric. Queries are parsed with the PromQL parser
 * of `@yardstick/alert-evaluator` (`@yardstick/promql`), which lists the metric names its vector selectors
 * select; a series name of a histogram (`_bucket`, `_sum`, `_count`) counts as its ProxyMetric's.
 */
import { promqlExprValidator } from '@yardstick/alert-evaluator';
import type { ProxyMetricRegistry } from './proxy-metric-registry.ts';

function known(registry: ProxyMetricRegistry): string {
  return registry
    .list()
    .map((metric) => metric.name)
    .join(', ');
}

/** Why `name` is not a ProxyMetric's series, or `undefined` when it is. */
export function metricNameProblem(name: string, registry: ProxyMetricRegistry): string | undefined {
  if (registry.resolve(name) !== undefined) return undefined;
  return `"${name}" is not a ProxyMetric (defined: ${known(registry)})`;
}

/**
 * Why `query` does not reference ProxyMetrics only, or `undefined` when it does; a query that does not
 * parse is reported as such, since its metrics cannot be told. Without a registry only the PromQL is checked.
 */
export function queryMetricProblem(query: string, registry?: ProxyMetricRegistry): string | undefined {
  const check = promqlExprValidator(query);
  if (check.error !== undefined) return `is not valid PromQL: ${check.error}`;
  if (registry === undefined) return undefined;
  const names = check.metricNames ?? [];
  if (names.length === 0) {
    return `selects no metric by name: it must query a ProxyMetric (defined: ${known(registry)})`;
  }
  const unknown = [...new Set(names)].filter((name) => registry.resolve(name) === undefined);
  if (unknown.length === 0) return undefined;
  const listed = unknown.map((name) => `"${name}"`).join(', ');
  return `${unknown.length === 1 ? 'metric' : 'metrics'} ${listed} ${unknown.length === 1 ? 'is not a ProxyMetric' : 'are not ProxyMetrics'} (defined: ${known(registry)})`;
}
