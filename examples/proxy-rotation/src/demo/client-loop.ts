/**
 * The demo's traffic: a steady stream of requests, each through a randomly chosen pool, as a service
 * scraping or calling APIs through rotating proxies would send them.
 */
import type { ProxyPool } from '../pool/proxy-pool.ts';
import { sendThroughPool } from '../pool/send-through-pool.ts';

/**
 * Starts sending about `ratePerSecond` requests per second to `url` through `pools`; resolves the returned
 * stop function once requests in flight have ended. Failures (an exhausted pool) are part of the demo and
 * are only counted in the metrics.
 */
export function startClientLoop(
  pools: readonly ProxyPool[],
  url: string,
  ratePerSecond: number,
): () => Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const timer = setInterval(
    () => {
      const pool = pools[Math.floor(Math.random() * pools.length)];
      if (pool === undefined) return;
      const request = sendThroughPool(pool, url).catch(() => undefined);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    },
    Math.max(1, 1000 / ratePerSecond),
  );
  return async () => {
    clearInterval(timer);
    await Promise.allSettled([...inFlight]);
  };
}
