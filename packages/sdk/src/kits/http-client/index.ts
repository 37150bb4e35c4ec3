/**
 * The HTTP client kit of `@yardstick/sdk`: `trackHttpClientRequests()` and its metric name. `src/index.ts`
 * re-exports what users get from here.
 */
export type { HttpClientMetrics, HttpClientMetricsOptions } from './http-client-metrics.ts';
export {
  HTTP_CLIENT_DURATION_BUCKETS,
  HTTP_CLIENT_DURATION_METRIC,
  trackHttpClientRequests,
} from './http-client-metrics.ts';
export { OTHER_SERVER } from './server-ids.ts';
