/**
 * The PromQL behind `/v1/stats`, over the names the instrumentation kits record. Written for one window
 * (`[5m]`); `/v1/stats` answers them with the queries attached, so every number can be pasted into
 * Prometheus or Grafana and give the same answer there.
 */

import { SCOPE_LABELS } from '../exposition/attribute-labels.ts';

/** Labels that say where a series came from, not what it measures; the stats group them away. */
const SCOPE = SCOPE_LABELS.join(', ');

const HTTP_COUNT = 'http_server_request_duration_seconds_count';
const HTTP_BUCKET = 'http_server_request_duration_seconds_bucket';

/** Metrics listed under `cardinality.series`: those with the most series. */
export const MAX_CARDINALITY_METRICS = 20;

/** The queries of one window, by the stats field they fill. */
export function statsQueries(window: string) {
  const rate = (selector: string) => `rate(${selector}[${window}])`;
  return {
    httpRequestsPerSecond: `sum(${rate(HTTP_COUNT)})`,
    httpErrorRatio: `(sum(${rate(`${HTTP_COUNT}{http_response_status_code=~"5.."}`)}) or vector(0)) / sum(${rate(HTTP_COUNT)})`,
    httpLatencyP50: `histogram_quantile(0.5, sum by (le) (${rate(HTTP_BUCKET)}))`,
    httpLatencyP95: `histogram_quantile(0.95, sum by (le) (${rate(HTTP_BUCKET)}))`,
    httpLatencyP99: `histogram_quantile(0.99, sum by (le) (${rate(HTTP_BUCKET)}))`,
    routeRequestsPerSecond: `sum by (http_request_method, http_route) (${rate(HTTP_COUNT)})`,
    routeErrorsPerSecond: `sum by (http_request_method, http_route) (${rate(`${HTTP_COUNT}{http_response_status_code=~"5.."}`)})`,
    routeLatencyP95: `histogram_quantile(0.95, sum by (le, http_request_method, http_route) (${rate(HTTP_BUCKET)}))`,
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
    poolWaitP95: `histogram_quantile(0.95, sum without (${SCOPE}) (${rate('pool_wait_time_seconds_bucket')}))`,
    poolTimeoutsPerSecond: `sum without (${SCOPE}) (${rate('pool_timeouts_total')})`,
    dependencyUp: `max without (${SCOPE}) (dependency_up)`,
    dependencyCheckP95: `histogram_quantile(0.95, sum without (${SCOPE}, dependency_check_outcome) (${rate('dependency_check_duration_seconds_bucket')}))`,
    cardinalitySeries: `topk(${MAX_CARDINALITY_METRICS}, max by (metric) (yardstick_cardinality_series) > 0)`,
    cardinalityOverflowing: `sum by (metric) (increase(yardstick_cardinality_overflow_measurements_total[${window}])) > 0`,
    firingAlerts: 'ALERTS{alertstate="firing"}',
  } as const;
}

/** The field names of {@link statsQueries}. */
export type StatsQueryName = keyof ReturnType<typeof statsQueries>;
