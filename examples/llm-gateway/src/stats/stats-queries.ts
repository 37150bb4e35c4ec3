/**
 * The PromQL behind `GET /v1/stats/window`, written as constants so the same text can be pasted into Prometheus,
 * Grafana or `yardstick promql query` and means the same thing there. Rates look at the last 5 minutes;
 * totals are cumulative since the gateway started.
 */

/** Requests per second per model. */
export const REQUEST_RATE =
  'sum by (gen_ai_request_model) (rate(gen_ai_server_request_duration_seconds_count[5m]))';

/**
 * Share of requests per model the gateway answered with a 5xx (every backend failed). The `or ... * 0`
 * arm gives 0 instead of no value for a model without errors.
 */
export const ERROR_RATIO = `(
  sum by (gen_ai_request_model) (rate(gen_ai_server_request_duration_seconds_count{error_type=~"5.."}[5m]))
  or sum by (gen_ai_request_model) (rate(gen_ai_server_request_duration_seconds_count[5m])) * 0
)
/ sum by (gen_ai_request_model) (rate(gen_ai_server_request_duration_seconds_count[5m]))`;

/** 95th percentile of the request duration per model, fallbacks included, in seconds. */
export const P95_LATENCY_SECONDS =
  'histogram_quantile(0.95, sum by (gen_ai_request_model, le) (rate(gen_ai_server_request_duration_seconds_bucket[5m])))';

/** Tokens per minute per model and token type (input, output). */
export const TOKENS_PER_MINUTE =
  '60 * sum by (gen_ai_request_model, gen_ai_token_type) (rate(gen_ai_client_token_usage_sum[5m]))';

/** Requests per model since start. */
export const REQUESTS_TOTAL = 'sum by (gen_ai_request_model) (gen_ai_server_request_duration_seconds_count)';

/** Requests per model answered with a 5xx since start. */
export const ERRORS_TOTAL =
  'sum by (gen_ai_request_model) (gen_ai_server_request_duration_seconds_count{error_type=~"5.."})';

/** Tokens per model and token type since start. */
export const TOKENS_TOTAL =
  'sum by (gen_ai_request_model, gen_ai_token_type) (gen_ai_client_token_usage_sum)';

/** Fallbacks per model, from-backend and to-backend since start. */
export const FALLBACKS_TOTAL =
  'sum by (gen_ai_request_model, llm_gateway_fallback_from, llm_gateway_fallback_to) (llm_gateway_fallbacks_total)';

/** Attempts per backend and outcome (`error_type` empty for an answer) since start. */
export const ATTEMPTS_TOTAL =
  'sum by (llm_gateway_backend, error_type) (gen_ai_client_operation_duration_seconds_count)';
