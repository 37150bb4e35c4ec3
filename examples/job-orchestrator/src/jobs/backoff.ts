/**
 * Retry delays: exponential with "equal jitter" (half the delay fixed, half random), so retries of jobs
 * that failed together (a dependency outage) spread out instead of returning in one burst, while every
 * retry still waits at least half its nominal delay.
 */

/** How long retries wait. */
export interface BackoffPolicy {
  /** The nominal delay before the first retry (ms). */
  readonly baseMs: number;
  /** The cap on the nominal delay (ms). */
  readonly maxMs: number;
}

/**
 * The delay before retry number `retry` (1 for the first retry): nominal `min(maxMs, baseMs * 2^(retry-1))`,
 * returned as a value in `[nominal / 2, nominal]`.
 *
 * @param random - a number in [0, 1); `Math.random` by default, fixed in tests
 */
export function retryDelayMs(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  // 2 ** 1024 is Infinity, which min() caps, so a large retry count cannot produce NaN.
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
