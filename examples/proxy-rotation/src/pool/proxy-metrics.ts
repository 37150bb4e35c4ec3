/**
 * The library's own instruments, next to what the sdk kits give (`pool.*` from `trackPool`,
 * `dependency.*` from `trackDependency`).
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `proxy.requests` | Counter | `{request}` | `proxy_requests_total` | `pool.name`, `region`, `proxy.id`, `outcome` |
 * | `proxy.request.duration` | Histogram | `s` | `proxy_request_duration_seconds` | `pool.name`, `region`, `outcome` |
 * | `proxy.rotations` | Counter | `{rotation}` | `proxy_rotations_total` | `pool.name`, `region`, `rotation.strategy` |
 * | `proxy.health.transitions` | Counter | `{transition}` | `proxy_health_transitions_total` | `pool.name`, `region`, `proxy.id`, `direction` |
 *
 * `proxy.id` is the configured short name, never host:port or a URL (see the README). The latency histogram
 * leaves `proxy.id` out: buckets times proxies is the expensive product, and per-proxy error ratios come
 * from the counter.
 */
import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** Attribute keys used by the library's metrics (the pool kit's `pool.name` included, for joins). */
export const PROXY_ATTRIBUTES = {
  pool: 'pool.name',
  region: 'region',
  proxy: 'proxy.id',
  outcome: 'outcome',
  strategy: 'rotation.strategy',
  direction: 'direction',
} as const;

/** Request latency buckets (s): a local hop to a slow residential exit. */
export const PROXY_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** The library's instruments on one meter (shared by all pools: one storage, a series per pool). */
export interface ProxyInstruments {
  readonly requests: Counter;
  readonly requestDuration: Histogram;
  readonly rotations: Counter;
  readonly healthTransitions: Counter;
}

/** Creates (or finds again, as the SDK returns an identical instrument's storage) the instruments. */
export function createProxyInstruments(meter: Meter): ProxyInstruments {
  return {
    requests: meter.createCounter('proxy.requests', {
      description: 'Requests sent through a proxy, by outcome.',
      unit: '{request}',
    }),
    requestDuration: meter.createHistogram('proxy.request.duration', {
      description: 'Duration of requests sent through the pool, by outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...PROXY_LATENCY_BUCKETS] },
    }),
    rotations: meter.createCounter('proxy.rotations', {
      description: 'Acquires that moved the pool to a different proxy than the previous one.',
      unit: '{rotation}',
    }),
    healthTransitions: meter.createCounter('proxy.health.transitions', {
      description: 'Proxies taken out of rotation (down) or put back (up) by health checks.',
      unit: '{transition}',
    }),
  };
}
