/**
 * `trackPool()`: pool metrics for any pool (connections, workers, proxies, model backends). An existing pool
 * is observed through callbacks read at collection time, without wrapping it; a pool yardstick should time
 * reports its requests through leases. Metric names: see `pool-metrics.ts`.
 */
import type { Attributes, BatchObservableResult, Meter, ObservableUpDownCounter } from '@opentelemetry/api';
import type { Logger } from '../../logging/logger.ts';
import { createWarnOnce, diagLogger, errorMessage, type WarnOnce } from '../kit-logger.ts';
import { poolItemCounts } from './pool-item-counts.ts';
import { type LeaseBook, type PoolLease, TrackedLease } from './pool-lease.ts';
import {
  createPoolInstruments,
  POOL_ITEM_STATE_ATTRIBUTE,
  POOL_NAME_ATTRIBUTE,
  type PoolItemState,
} from './pool-metrics.ts';

/** A callback read at collection time; returns a count (a non-negative finite number). */
export type PoolReading = () => number;

/** Options of `trackPool()`. Every callback is optional: give the ones the pool can answer. */
export interface TrackPoolOptions {
  /** `pool.name`: unique within the process (two pools with one name and the same attributes collide). */
  readonly name: string;
  /** Constant attributes on every series of this pool (`region`, `kind`); keep them few and bounded. */
  readonly attributes?: Attributes;
  /** All items the pool holds, in any state; lets a missing `idle()` or `inUse()` be derived. */
  readonly size?: PoolReading;
  /** Items ready to be handed out (`pool.items{pool.item.state="idle"}`). */
  readonly idle?: PoolReading;
  /** Items handed out (`pool.items{pool.item.state="used"}`); without it, leases in use are counted. */
  readonly inUse?: PoolReading;
  /** Items kept but not handed out (`pool.items{pool.item.state="unhealthy"}`). */
  readonly unhealthy?: PoolReading;
  /** The most items the pool allows (`pool.limit`). */
  readonly max?: PoolReading;
  /** Requests waiting for an item (`pool.pending_requests`); without it, waiting leases are counted. */
  readonly pending?: PoolReading;
  /** `false` gives a pool object that records nothing (how the `metrics.pools` switch turns the kit off). */
  readonly enabled?: boolean;
  /** Where a failing callback is reported (once); OTel's `diag` when absent. */
  readonly logger?: Logger;
}

/** A pool being tracked: its lease API and `close()`. */
export interface TrackedPool {
  /** The pool's `pool.name`. */
  readonly name: string;
  /** Starts timing one request for an item; call on the returned lease as the request proceeds. */
  acquireStarted(): PoolLease;
  /**
   * Stops observing the pool: its callbacks are not called again and its leases record nothing more. The
   * next collection reports its observed series as 0 (sdk-metrics 3.1.0 would otherwise keep exporting
   * their last values under cumulative temporality); a delta reader sees them no more after that.
   */
  close(): void;
}

type ReadingName = 'size' | 'idle' | 'inUse' | 'unhealthy' | 'max' | 'pending';

/**
 * Tracks a pool on `meter`. Never throws into the SDK: a callback that throws or returns something other
 * than a non-negative finite number is skipped at that collection, reported once, and the pool's other
 * series are still observed. (While a callback that once answered is skipped, sdk-metrics 3.1.0 keeps
 * exporting its last value under cumulative temporality, open-telemetry-js#4096.)
 *
 * @example
 * ```ts
 * const pool = trackPool(meter, {
 *   name: 'proxies', attributes: { region: 'eu' },
 *   size: () => proxies.length, unhealthy: () => proxies.filter((p) => p.down).length,
 * });
 * const lease = pool.acquireStarted();
 * const proxy = await proxies.take(); lease.acquired();
 * try { await fetchThrough(proxy); } finally { lease.released(); }
 * ```
 * @example A generic-pool pool, observed without wrapping it:
 * ```ts
 * trackPool(meter, {
 *   name: 'pg', size: () => pg.size, idle: () => pg.available, inUse: () => pg.borrowed,
 *   pending: () => pg.pending, max: () => pg.max, enabled: config.metrics.pools,
 * });
 * ```
 */
export function trackPool(meter: Meter, options: TrackPoolOptions): TrackedPool {
  if (options.enabled === false) return disabledPool(options.name);
  const instruments = createPoolInstruments(meter);
  const attributes: Attributes = { ...options.attributes, [POOL_NAME_ATTRIBUTE]: options.name };
  // The pool's five possible observed series, attribute objects built once: collection reuses them instead
  // of spreading attributes at every callback.
  const series = {
    idle: seriesOf(instruments.items, { ...attributes, [POOL_ITEM_STATE_ATTRIBUTE]: 'idle' }),
    used: seriesOf(instruments.items, { ...attributes, [POOL_ITEM_STATE_ATTRIBUTE]: 'used' }),
    unhealthy: seriesOf(instruments.items, { ...attributes, [POOL_ITEM_STATE_ATTRIBUTE]: 'unhealthy' }),
    limit: seriesOf(instruments.limit, attributes),
    pending: seriesOf(instruments.pendingRequests, attributes),
  } satisfies Record<PoolItemState | 'limit' | 'pending', ObservedSeries>;
  const warnOnce = createWarnOnce(options.logger ?? diagLogger);
  const book: LeaseBook = {
    instruments,
    attributes,
    warnOnce,
    poolName: options.name,
    pending: 0,
    inUse: 0,
    leasing: false,
    closed: false,
  };
  const read = readingsOf(options, warnOnce);

  const observe = (result: BatchObservableResult): void => {
    const counts = poolItemCounts(
      { size: read('size'), idle: read('idle'), inUse: read('inUse'), unhealthy: read('unhealthy') },
      book.leasing ? book.inUse : undefined,
    );
    observeIf(result, series.idle, counts.idle);
    observeIf(result, series.used, counts.used);
    observeIf(result, series.unhealthy, counts.unhealthy);
    observeIf(result, series.limit, read('max'));
    observeIf(result, series.pending, read('pending') ?? (book.leasing ? book.pending : undefined));
  };
  const observables = [instruments.items, instruments.limit, instruments.pendingRequests];
  meter.addBatchObservableCallback(observe, observables);

  return {
    name: options.name,
    acquireStarted: () => new TrackedLease(book),
    close: () => {
      if (book.closed) return;
      book.closed = true;
      meter.removeBatchObservableCallback(observe, observables);
      // sdk-metrics 3.1.0 keeps exporting an async series after its last observation under cumulative
      // temporality (open-telemetry-js#4096; the specification says it SHOULD NOT), so a closed pool's
      // series would stay frozen at their last values. One last observation of 0 makes them read "nothing
      // left" instead; the callback then removes itself, after the SDK's loop over callbacks is done.
      const seen = Object.values(series).filter((one) => one.seen);
      if (seen.length === 0) return;
      const zero = (result: BatchObservableResult): void => {
        for (const one of seen) result.observe(one.observable, 0, one.attributes);
        queueMicrotask(() => meter.removeBatchObservableCallback(zero, observables));
      };
      meter.addBatchObservableCallback(zero, observables);
    },
  };
}

/** One series a pool may observe, and whether it ever did (close() zeroes exactly those). */
interface ObservedSeries {
  readonly observable: ObservableUpDownCounter;
  readonly attributes: Attributes;
  seen: boolean;
}

function seriesOf(observable: ObservableUpDownCounter, attributes: Attributes): ObservedSeries {
  return { observable, attributes, seen: false };
}

function observeIf(result: BatchObservableResult, series: ObservedSeries, value: number | undefined): void {
  if (value === undefined) return;
  result.observe(series.observable, value, series.attributes);
  series.seen = true;
}

/** Reads one callback safely: `undefined` when it is absent, throws, or returns a value that is no count. */
function readingsOf(
  options: TrackPoolOptions,
  warnOnce: WarnOnce,
): (name: ReadingName) => number | undefined {
  return (name) => {
    const callback = options[name];
    if (callback === undefined) return undefined;
    let value: unknown;
    try {
      value = callback();
    } catch (error) {
      warnOnce(
        `${name}.throw`,
        { pool: options.name, callback: name, error: errorMessage(error) },
        `pool ${options.name}: the ${name}() callback threw; its series is left out while it does`,
      );
      return undefined;
    }
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    warnOnce(
      `${name}.value`,
      { pool: options.name, callback: name, value: String(value) },
      `pool ${options.name}: the ${name}() callback returned something other than a non-negative number; ignored`,
    );
    return undefined;
  };
}

/** A lease that records nothing; one shared object, so a disabled pool allocates nothing per request. */
const DISABLED_LEASE: PoolLease = Object.freeze({
  acquired() {},
  released() {},
  timedOut() {},
  failed() {},
});

function disabledPool(name: string): TrackedPool {
  return { name, acquireStarted: () => DISABLED_LEASE, close() {} };
}
