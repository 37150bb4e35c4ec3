/**
 * The PromQL behind `/v1/stats`, over the names the instrumentation kits record. Written for one window
 * (`[5m]`); `/v1/stats` answers them with the queries attached, so every number can be pasted into
 * Prometheus or Grafana and give the same answer there.
 */

import { SCOPE_LABELS } from '../exposition/attribute-labels.ts';

/** Labels that say where a series came from, not what it measures; the stats group them away. */
const SCOPE = SCOPE_LABELS.join(', ');

const HTTP_DURATION = 'http_server_request_duration_seconds';
const ERRORS = '{http_response_status_code=~"5.."}';

/** Metrics listed under `cardinality.series`: those with the most series. */
export const MAX_CARDINALITY_METRICS = 20;

/** The queries of one window, by the stats field they fill. */
export function statsQueries(window: string) {
  const rate = (selector: string) => `rate(${selector}[${window}])`;
  // A histogram is classic (`_bucket`/`_count` series) or, recorded as an exponential histogram, native (one
  // series of its own name): each query reads the classic form, `or` the native one.
  const countRate = (grouping: string, name: string, matchers = '') =>
    `${grouping}(${rate(`${name}_count${matchers}`)}) or ${grouping}(histogram_count(${rate(name + matchers)}))`;
  // `without` keeps `le` by itself; `by` names it for the classic buckets only.
  const quantile = (q: number, name: string, group: { by: string[] } | { without: string[] }) => {
    const [classic, native] =
      'by' in group
        ? [
            `sum by (${['le', ...group.by].join(', ')}) `,
            group.by.length ? `sum by (${group.by.join(', ')}) ` : 'sum',
          ]
        : [`sum without (${group.without.join(', ')}) `, `sum without (${group.without.join(', ')}) `];
    return `histogram_quantile(${q}, ${classic}(${rate(`${name}_bucket`)})) or histogram_quantile(${q}, ${native}(${rate(name)}))`;
  };
  const routes = 'http_request_method, http_route';
  return {
    httpRequestsPerSecond: countRate('sum', HTTP_DURATION),
    httpErrorRatio: `(${countRate('sum', HTTP_DURATION, ERRORS)} or vector(0)) / (${countRate('sum', HTTP_DURATION)})`,
    httpLatencyP50: quantile(0.5, HTTP_DURATION, { by: [] }),
    httpLatencyP95: quantile(0.95, HTTP_DURATION, { by: [] }),
    httpLatencyP99: quantile(0.99, HTTP_DURATION, { by: [] }),
    routeRequestsPerSecond: countRate(`sum by (${routes}) `, HTTP_DURATION),
    routeErrorsPerSecond: countRate(`sum by (${routes}) `, HTTP_DURATION, ERRORS),
    routeLatencyP95: quantile(0.95, HTTP_DURATION, { by: ['http_request_method', 'http_route'] }),
    cpuCores: `sum(${rate('process_cpu_time_seconds_total')})`,
    memoryBytes: 'sum(process_memory_usage_bytes)',
    heapUsedBytes: 'sum(v8js_memory_heap_used_bytes)',
    gcTimeRatio: `sum(${rate('v8js_gc_duration_seconds_sum')})`,
    eventLoopDelayP99: 'max(nodejs_eventloop_delay_p99_seconds)',
    eventLoopUtilization: 'max(nodejs_eventloop_utilization_ratio)',
    uptimeSeconds: 'max(process_uptime_seconds)',
    poolItems: `sum without (${SCOPE}) (pool_items)`,
    poolPending: `sum without (${SCOPE}) (pool_pending_requests)`,
    poolLimit: `sum without (${SCOPE}) (pool_limit)`,
    poolWaitP95: quantile(0.95, 'pool_wait_time_seconds', { without: [SCOPE] }),
    poolTimeoutsPerSecond: `sum without (${SCOPE}) (${rate('pool_timeouts_total')})`,
    dependencyUp: `max without (${SCOPE}) (dependency_up)`,
    dependencyCheckP95: quantile(0.95, 'dependency_check_duration_seconds', {
      without: [SCOPE, 'dependency_check_outcome'],
    }),
    cardinalitySeries: `topk(${MAX_CARDINALITY_METRICS}, max by (metric) (yardstick_cardinality_series) > 0)`,
    cardinalityOverflowing: `sum by (metric) (increase(yardstick_cardinality_overflow_measurements_total[${window}])) > 0`,
    firingAlerts: 'ALERTS{alertstate="firing"}',
  } as const;
}

/** The field names of {@link statsQueries}. */
export type StatsQueryName = keyof ReturnType<typeof statsQueries>;
