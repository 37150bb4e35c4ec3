/**
 * The lease API of a tracked pool: one `PoolLease` per request for an item, moved through
 * `acquireStarted() -> acquired() -> released()` (or `timedOut()` / `failed()`), recording wait time, use
 * time and timeouts. Lease calls sit on the caller's request path, so they never throw: a call out of order
 * is reported once through the logger and otherwise ignored.
 */
import type { Attributes } from '@opentelemetry/api';
import type { WarnOnce } from '../kit-logger.ts';
import type { PoolInstruments } from './pool-metrics.ts';

/**
 * One request for an item of a tracked pool.
 *
 * - `acquired()`: the item was handed out; records `pool.wait_time`.
 * - `released()`: the item went back; records `pool.use_time`.
 * - `timedOut()`: before `acquired()`, the wait gave up; counts `pool.timeouts` (no wait time is recorded,
 *   as `db.client.connection.wait_time` measures obtained connections only). After `acquired()`, it ends
 *   the use like `released()`.
 * - `failed()`: before `acquired()`, the request failed (the pool could not create an item); after
 *   `acquired()`, it ends the use like `released()`.
 *
 * Each lease ends once; later calls are ignored.
 */
export interface PoolLease {
  /** The pool handed the item out. */
  acquired(): void;
  /** The item went back to the pool. */
  released(): void;
  /** The wait for an item gave up (or, after `acquired()`, the use ended by a timeout). */
  timedOut(): void;
  /** The request failed (or, after `acquired()`, the use ended by an error). */
  failed(): void;
}

/** The pool-side bookkeeping the leases of one pool share. */
export interface LeaseBook {
  readonly instruments: PoolInstruments;
  /** `pool.name` and the pool's constant attributes, the same object for every record. */
  readonly attributes: Attributes;
  readonly warnOnce: WarnOnce;
  readonly poolName: string;
  /** Leases waiting for an item. */
  pending: number;
  /** Leases holding an item. */
  inUse: number;
  /** Whether `acquireStarted()` was ever called (the lease counts then stand in for missing callbacks). */
  leasing: boolean;
  /** Set by `close()`: a closed pool records nothing more. */
  closed: boolean;
}

const WAITING = 0;
const USING = 1;
const ENDED = 2;
const PHASE_NAMES = ['waiting', 'in use', 'ended'] as const;

/** A lease of a tracked pool; created by `TrackedPool.acquireStarted()`. */
export class TrackedLease implements PoolLease {
  readonly #book: LeaseBook;
  // performance.now() rather than Date.now(): monotonic, so a clock step cannot make a negative duration.
  #since = performance.now();
  #phase: typeof WAITING | typeof USING | typeof ENDED = WAITING;

  /** @param book - the pool's bookkeeping; the lease counts itself as pending in it */
  constructor(book: LeaseBook) {
    this.#book = book;
    book.pending++;
    book.leasing = true;
  }

  acquired(): void {
    if (this.#phase !== WAITING) {
      this.#outOfOrder('acquired');
      return;
    }
    const book = this.#book;
    const now = performance.now();
    book.pending--;
    book.inUse++;
    if (!book.closed) book.instruments.waitTime.record((now - this.#since) / 1000, book.attributes);
    this.#since = now;
    this.#phase = USING;
  }

  released(): void {
    if (this.#phase === WAITING) {
      // A pool that skips acquired() on a fast path still frees its pending slot here.
      this.#outOfOrder('released');
      this.#book.pending--;
      this.#phase = ENDED;
      return;
    }
    this.#endUse('released');
  }

  timedOut(): void {
    if (this.#phase !== WAITING) {
      this.#endUse('timedOut');
      return;
    }
    const book = this.#book;
    book.pending--;
    if (!book.closed) book.instruments.timeouts.add(1, book.attributes);
    this.#phase = ENDED;
  }

  failed(): void {
    if (this.#phase !== WAITING) {
      this.#endUse('failed');
      return;
    }
    this.#book.pending--;
    this.#phase = ENDED;
  }

  #endUse(call: string): void {
    if (this.#phase !== USING) {
      this.#outOfOrder(call);
      return;
    }
    const book = this.#book;
    book.inUse--;
    if (!book.closed)
      book.instruments.useTime.record((performance.now() - this.#since) / 1000, book.attributes);
    this.#phase = ENDED;
  }

  #outOfOrder(call: string): void {
    const book = this.#book;
    book.warnOnce(
      `lease.${call}`,
      { pool: book.poolName, call },
      `pool lease: ${call}() called while the lease was ${PHASE_NAMES[this.#phase]}; nothing recorded`,
    );
  }
}
