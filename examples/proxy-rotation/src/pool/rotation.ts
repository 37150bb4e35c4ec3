/**
 * Rotation strategies: which proxy the next request gets. Pure functions over the pool's view of its
 * proxies, so they can be tested (and property-tested) without sockets.
 */

/** How a pool spreads requests over its proxies. */
export type RotationStrategy = 'round-robin' | 'least-used';

/** What a strategy needs to know about one proxy. */
export interface RotationCandidate {
  readonly healthy: boolean;
  /** Requests in flight through this proxy. */
  readonly inFlight: number;
  /** Requests handed to this proxy since the pool started. */
  readonly uses: number;
}

/**
 * Picks a proxy: an index into `candidates`, or -1 when no proxy is healthy with a free slot.
 *
 * - `round-robin`: the first eligible proxy at or after `cursor`, wrapping around; the caller moves the
 *   cursor past the pick, so n eligible proxies each get one of n consecutive requests.
 * - `least-used`: the eligible proxy with the fewest requests in flight, then the fewest uses so far; ties
 *   go to the first at or after `cursor`, so equal proxies still take turns.
 *
 * @param maxInFlight - requests one proxy may carry at once
 * @param cursor - where the previous pick left off (any integer; taken modulo the length)
 */
export function pickProxy(
  strategy: RotationStrategy,
  candidates: readonly RotationCandidate[],
  maxInFlight: number,
  cursor: number,
): number {
  const n = candidates.length;
  if (n === 0) return -1;
  const start = ((cursor % n) + n) % n;
  let best = -1;
  for (let step = 0; step < n; step++) {
    const index = (start + step) % n;
    const candidate = candidates[index]!;
    if (!candidate.healthy || candidate.inFlight >= maxInFlight) continue;
    if (strategy === 'round-robin') return index;
    const current = best === -1 ? undefined : candidates[best]!;
    if (
      current === undefined ||
      candidate.inFlight < current.inFlight ||
      (candidate.inFlight === current.inFlight && candidate.uses < current.uses)
    ) {
      best = index;
    }
  }
  return best;
}
