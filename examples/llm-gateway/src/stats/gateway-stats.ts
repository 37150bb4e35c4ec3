/**
 * `GET /v1/stats/window`: a JSON summary per model computed with PromQL over yardstick's embedded store, so the
 * numbers are exactly what the same queries give on a Prometheus that scrapes the gateway.
 */
import type { ServerResponse } from 'node:http';
import { type Expr, evaluateInstant, parseExpr, type Queryable, type VectorSample } from '@yardstick/promql';
import {
  ATTEMPTS_TOTAL,
  ERROR_RATIO,
  ERRORS_TOTAL,
  FALLBACKS_TOTAL,
  P95_LATENCY_SECONDS,
  REQUEST_RATE,
  REQUESTS_TOTAL,
  TOKENS_PER_MINUTE,
  TOKENS_TOTAL,
} from './stats-queries.ts';

/** Input and output tokens. */
export interface TokenCounts {
  readonly input: number;
  readonly output: number;
}

/** One model's numbers. Rates and the percentile cover the last 5 minutes; counts are since start. */
export interface ModelStats {
  readonly requests: number;
  readonly errors: number;
  readonly fallbacks: number;
  readonly tokens: TokenCounts;
  readonly requestsPerSecond: number;
  /** Share of requests answered with a 5xx; null without requests in the window. */
  readonly errorRatio: number | null;
  /** null without requests in the window. */
  readonly p95LatencySeconds: number | null;
  readonly tokensPerMinute: TokenCounts;
}

/** One from -> to pair of fallbacks of a model. */
export interface FallbackStats {
  readonly model: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

/** What `GET /v1/stats/window` answers. */
export interface GatewayStats {
  /** Evaluation time, RFC 3339. */
  readonly time: string;
  readonly window: '5m';
  /** Every model of the routing table, with zeros before its first request. */
  readonly models: Readonly<Record<string, ModelStats>>;
  readonly fallbacks: readonly FallbackStats[];
  /** Attempts per backend: answered, and failed by `error.type`. */
  readonly backends: Readonly<
    Record<string, { readonly answered: number; readonly failed: Record<string, number> }>
  >;
  /** The PromQL behind the numbers, to paste into Prometheus or Grafana. */
  readonly queries: Readonly<Record<string, string>>;
}

const QUERY_TEXT = {
  requestsPerSecond: REQUEST_RATE,
  errorRatio: ERROR_RATIO,
  p95LatencySeconds: P95_LATENCY_SECONDS,
  tokensPerMinute: TOKENS_PER_MINUTE,
  requests: REQUESTS_TOTAL,
  errors: ERRORS_TOTAL,
  tokens: TOKENS_TOTAL,
  fallbacks: FALLBACKS_TOTAL,
  attempts: ATTEMPTS_TOTAL,
} as const;

// Parsed once at load: a typo in a query fails the process at start, not the first /v1/stats/window call.
const QUERIES = Object.fromEntries(
  Object.entries(QUERY_TEXT).map(([key, text]) => [key, parseExpr(text)]),
) as Record<keyof typeof QUERY_TEXT, Expr>;

const EVALUATION_TIMEOUT_MS = 5_000;

function vector(store: Queryable, key: keyof typeof QUERY_TEXT, timeMs: number): readonly VectorSample[] {
  const result = evaluateInstant(store, QUERIES[key], timeMs, { timeoutMs: EVALUATION_TIMEOUT_MS });
  return result.value.type === 'vector' ? result.value.samples : [];
}

/** JSON has no NaN or infinity: such values (a quantile of nothing, 0/0) become null. */
function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Values of `samples` keyed by the model label (and, with `by`, a second label). */
function byModel(samples: readonly VectorSample[], by?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const model = s.labels.gen_ai_request_model ?? '';
    out.set(by === undefined ? model : `${model}\u0000${s.labels[by] ?? ''}`, s.value);
  }
  return out;
}

/**
 * Computes the summary at `timeMs` for the configured `models`.
 *
 * @throws PromqlError (`PROMQL_TIMEOUT`) when the store is too large to answer in 5 seconds.
 */
export function computeGatewayStats(
  store: Queryable,
  models: readonly string[],
  timeMs: number,
): GatewayStats {
  const rate = byModel(vector(store, 'requestsPerSecond', timeMs));
  const errorRatio = byModel(vector(store, 'errorRatio', timeMs));
  const p95 = byModel(vector(store, 'p95LatencySeconds', timeMs));
  const tokenRate = byModel(vector(store, 'tokensPerMinute', timeMs), 'gen_ai_token_type');
  const requests = byModel(vector(store, 'requests', timeMs));
  const errors = byModel(vector(store, 'errors', timeMs));
  const tokens = byModel(vector(store, 'tokens', timeMs), 'gen_ai_token_type');

  const fallbacks: FallbackStats[] = vector(store, 'fallbacks', timeMs).map((s) => ({
    model: s.labels.gen_ai_request_model ?? '',
    from: s.labels.llm_gateway_fallback_from ?? '',
    to: s.labels.llm_gateway_fallback_to ?? '',
    count: s.value,
  }));
  const backends: Record<string, { answered: number; failed: Record<string, number> }> = {};
  for (const s of vector(store, 'attempts', timeMs)) {
    const name = s.labels.llm_gateway_backend ?? '';
    backends[name] ??= { answered: 0, failed: {} };
    const entry = backends[name];
    const errorType = s.labels.error_type;
    if (errorType === undefined || errorType === '') entry.answered += s.value;
    else entry.failed[errorType] = s.value;
  }

  const summary: Record<string, ModelStats> = {};
  for (const model of models) {
    const tokenPair = (values: Map<string, number>): TokenCounts => ({
      input: values.get(`${model}\u0000input`) ?? 0,
      output: values.get(`${model}\u0000output`) ?? 0,
    });
    summary[model] = {
      requests: requests.get(model) ?? 0,
      errors: errors.get(model) ?? 0,
      fallbacks: fallbacks.filter((f) => f.model === model).reduce((sum, f) => sum + f.count, 0),
      tokens: tokenPair(tokens),
      requestsPerSecond: finite(rate.get(model)) ?? 0,
      errorRatio: finite(errorRatio.get(model)),
      p95LatencySeconds: finite(p95.get(model)),
      tokensPerMinute: tokenPair(tokenRate),
    };
  }
  return {
    time: new Date(timeMs).toISOString(),
    window: '5m',
    models: summary,
    fallbacks: fallbacks.filter((f) => models.includes(f.model)),
    backends,
    queries: QUERY_TEXT,
  };
}

/**
 * The `GET /v1/stats/window` handler over `store` (the embedded store of `startTelemetry`); answers 503 when the
 * store is disabled and 500 when a query fails.
 */
export function createStatsHandler(
  store: Queryable | undefined,
  models: readonly string[],
): (res: ServerResponse) => void {
  return (res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (store === undefined) {
      send(503, {
        error: { message: 'the embedded store is disabled (store.enabled: false)', type: 'unavailable' },
      });
      return;
    }
    try {
      send(200, computeGatewayStats(store, models, Date.now()));
    } catch (error) {
      send(500, { error: { message: (error as Error).message, type: 'stats_failed' } });
    }
  };
}
