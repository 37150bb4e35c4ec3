/**
 * The event-loop time slice of a long piece of work: the work asks whether its slice is used up and, if so,
 * gives the loop a turn before it goes on. Shared by the incremental collection and the store's appends.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** A time budget for holding the event loop, renewed after each turn. */
export class LoopSlice {
  readonly #maxMs: number;
  #start = performance.now();

  /** @param maxMs how long (ms) the work may hold the loop before it should take a turn; 0 turns every time. */
  constructor(maxMs: number) {
    this.#maxMs = maxMs;
  }

  /** Whether the work has held the loop for `maxMs` since the slice began. */
  get due(): boolean {
    return performance.now() - this.#start >= this.#maxMs;
  }

  /** A `setImmediate` turn, not a resolved promise: it lets timers and I/O run. Starts a new slice. */
  async turn(): Promise<void> {
    await nextTurn();
    this.#start = performance.now();
  }
}
