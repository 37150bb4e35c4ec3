/**
 * The pool kit's metric names, generalised from the OTel database client connection-pool conventions
 * (`db.client.connection.*`, semantic conventions 1.45, status "development") to any pool: connections,
 * workers, proxies, model backends.
 *
 * | OTel name | instrument | unit | Prometheus name | from `db.client.connection.*` |
 * |---|---|---|---|---|
 * | `pool.items` | async UpDownCounter, by `pool.item.state` (`idle`, `used`, `unhealthy`) | `{item}` | `pool_items` (gauge) | `count` (`state` is `idle`/`used`; `unhealthy` is ours) |
 * | `pool.limit` | async UpDownCounter | `{item}` | `pool_limit` (gauge) | `limit` (was `max`, renamed upstream) |
 * | `pool.pending_requests` | async UpDownCounter | `{request}` | `pool_pending_requests` (gauge) | `pending_requests` |
 * | `pool.timeouts` | Counter | `{timeout}` | `pool_timeouts_total` | `timeouts` |
 * | `pool.wait_time` | Histogram | `s` | `pool_wait_time_seconds` | `wait_time` |
 * | `pool.use_time` | Histogram | `s` | `pool_use_time_seconds` | `use_time` |
 *
 * Every series carries `pool.name` (Prometheus `pool_name`, the conventions' `db.client.connection.pool.name`)
 * and the pool's constant attributes (`region`, `kind`, ...).
 */
import type { Counter, Histogram, Meter, ObservableUpDownCounter } from '@opentelemetry/api';

/** The metric names of the pool kit (see the table above). */
export const POOL_METRIC_NAMES = {
  items: 'pool.items',
  limit: 'pool.limit',
  pendingRequests: 'pool.pending_requests',
  timeouts: 'pool.timeouts',
  waitTime: 'pool.wait_time',
  useTime: 'pool.use_time',
} as const;

/** The attribute naming the pool: unique within the process, like `db.client.connection.pool.name`. */
export const POOL_NAME_ATTRIBUTE = 'pool.name';

/** The attribute of `pool.items` telling which state the counted items are in. */
export const POOL_ITEM_STATE_ATTRIBUTE = 'pool.item.state';

/**
 * The states `pool.items` counts: `idle` and `used` as in `db.client.connection.state`, plus `unhealthy`
 * for items the pool keeps but will not hand out (a proxy failing its health check, a backend in cooldown).
 */
export type PoolItemState = 'idle' | 'used' | 'unhealthy';

/**
 * Bucket boundaries (seconds) for wait and use times: from a pool hit (well under a millisecond rounds into
 * the first bucket) to a five-minute job on a worker. Given as advice, so a configured default bucket set
 * for request latencies does not cut long uses off at 10 s.
 */
export const POOL_TIME_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** The instruments one meter holds for every pool it tracks (same name, same storage, one per pool series). */
export interface PoolInstruments {
  readonly items: ObservableUpDownCounter;
  readonly limit: ObservableUpDownCounter;
  readonly pendingRequests: ObservableUpDownCounter;
  readonly timeouts: Counter;
  readonly waitTime: Histogram;
  readonly useTime: Histogram;
}

/**
 * Creates (or, for a second pool on the same meter, finds again: the SDK returns the existing storage for an
 * identical instrument) the pool instruments on `meter`.
 */
export function createPoolInstruments(meter: Meter): PoolInstruments {
  const advice = { explicitBucketBoundaries: [...POOL_TIME_BUCKETS] };
  return {
    items: meter.createObservableUpDownCounter(POOL_METRIC_NAMES.items, {
      description: 'The number of items in the pool, by state.',
      unit: '{item}',
    }),
    limit: meter.createObservableUpDownCounter(POOL_METRIC_NAMES.limit, {
      description: 'The maximum number of items the pool allows.',
      unit: '{item}',
    }),
    pendingRequests: meter.createObservableUpDownCounter(POOL_METRIC_NAMES.pendingRequests, {
      description: 'The number of requests waiting for an item from the pool.',
      unit: '{request}',
    }),
    timeouts: meter.createCounter(POOL_METRIC_NAMES.timeouts, {
      description: 'The number of requests that timed out waiting for an item from the pool.',
      unit: '{timeout}',
    }),
    waitTime: meter.createHistogram(POOL_METRIC_NAMES.waitTime, {
      description: 'The time it took to obtain an item from the pool.',
      unit: 's',
      advice,
    }),
    useTime: meter.createHistogram(POOL_METRIC_NAMES.useTime, {
      description: 'The time between obtaining an item from the pool and giving it back.',
      unit: 's',
      advice,
    }),
  };
}
