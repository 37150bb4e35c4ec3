/**
 * The Redis kit of `@yardstick/sdk`: `instrumentRedis()` and its metric names. `src/index.ts` re-exports
 * what users get from here.
 */
export type {
  InstrumentedRedis,
  InstrumentRedisOptions,
  RedisClientLike,
  RedisCommandLike,
} from './instrument-redis.ts';
export { instrumentRedis, REDIS_DURATION_BUCKETS, REDIS_METRIC_NAMES } from './instrument-redis.ts';
