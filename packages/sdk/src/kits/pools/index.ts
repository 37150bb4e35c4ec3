/**
 * The pool kit of `@yardstick/sdk`: `trackPool()` and its metric names. `src/index.ts` re-exports what
 * users get from here.
 */
export type { PoolLease } from './pool-lease.ts';
export type { PoolItemState } from './pool-metrics.ts';
export {
  POOL_ITEM_STATE_ATTRIBUTE,
  POOL_METRIC_NAMES,
  POOL_NAME_ATTRIBUTE,
  POOL_TIME_BUCKETS,
} from './pool-metrics.ts';
export type { PoolReading, TrackedPool, TrackPoolOptions } from './track-pool.ts';
export { trackPool } from './track-pool.ts';
