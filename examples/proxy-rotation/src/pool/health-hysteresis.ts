/**
 * When a proxy changes between healthy and unhealthy: after `unhealthyAfter` consecutive failed checks it
 * is taken out, after `healthyAfter` consecutive successes it is put back. One flaky check neither drops a
 * good proxy nor readmits a bad one.
 */

/** A health transition reported by {@link HealthHysteresis.record}. */
export type HealthTransition = 'down' | 'up' | undefined;

/** The health state of one proxy. Starts healthy: a new pool is usable before its first check ends. */
export class HealthHysteresis {
  readonly #unhealthyAfter: number;
  readonly #healthyAfter: number;
  #healthy = true;
  #streak = 0;

  /**
   * @param unhealthyAfter - consecutive failures that take a healthy proxy out (K, at least 1)
   * @param healthyAfter - consecutive successes that put an unhealthy proxy back (M, at least 1)
   */
  constructor(unhealthyAfter: number, healthyAfter: number) {
    this.#unhealthyAfter = Math.max(1, Math.floor(unhealthyAfter));
    this.#healthyAfter = Math.max(1, Math.floor(healthyAfter));
  }

  /** Whether the proxy is in rotation. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Records one check; returns the transition it caused, if any. */
  record(success: boolean): HealthTransition {
    // The streak counts checks that disagree with the current state; one agreeing check resets it.
    if (success === this.#healthy) {
      this.#streak = 0;
      return undefined;
    }
    this.#streak++;
    if (this.#streak < (this.#healthy ? this.#unhealthyAfter : this.#healthyAfter)) return undefined;
    this.#healthy = success;
    this.#streak = 0;
    return success ? 'up' : 'down';
  }
}
