/**
 * How `pool.items` is filled from whatever subset of callbacks a pool offers. Pools expose different
 * numbers (generic-pool: size, available, borrowed; a proxy list: size and unhealthy), and a dashboard wants
 * `sum(pool_items)` to be the pool's size, so a missing state is derived from `size()` when it can be.
 */

/** What the pool's own callbacks said at this collection; `undefined` where no callback was given or it failed. */
export interface PoolReadings {
  readonly size: number | undefined;
  readonly idle: number | undefined;
  readonly inUse: number | undefined;
  readonly unhealthy: number | undefined;
}

/** The `pool.items` series to report; a state left `undefined` gets no series at this collection. */
export interface PoolItemCounts {
  readonly idle: number | undefined;
  readonly used: number | undefined;
  readonly unhealthy: number | undefined;
}

/**
 * The counts by state, in this order of preference:
 * - each state from its own callback;
 * - `used`: else the leases yardstick is timing (`leasedInUse`, once the lease API has been used), else
 *   `size - idle - unhealthy` when `size()` and `idle()` are given, else 0 when `size()` is given (nothing
 *   is known to be in use);
 * - `idle`: else `size - used - unhealthy` when `size()` is given.
 * A derived count never goes below 0 (callbacks read at slightly different moments can disagree).
 *
 * @param readings - the callbacks' values
 * @param leasedInUse - leases acquired and not yet ended, or `undefined` when the lease API was never used
 */
export function poolItemCounts(readings: PoolReadings, leasedInUse: number | undefined): PoolItemCounts {
  const { size, idle, inUse, unhealthy } = readings;
  const others = unhealthy ?? 0;
  let used = inUse;
  if (used === undefined) {
    if (leasedInUse !== undefined) used = leasedInUse;
    else if (size !== undefined && idle !== undefined) used = Math.max(0, size - idle - others);
    else if (size !== undefined) used = 0;
  }
  const derivedIdle = size !== undefined ? Math.max(0, size - (used ?? 0) - others) : undefined;
  return { idle: idle ?? derivedIdle, used, unhealthy };
}
