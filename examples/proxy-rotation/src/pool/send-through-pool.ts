/**
 * The whole "use a proxy" cycle: acquire from the pool, send the request through the proxy, release with
 * the outcome and latency. What a client of the library writes around its own HTTP calls.
 */
import { fetchThroughProxy, type ProxiedResponse } from './fetch-through-proxy.ts';
import type { ProxyPool } from './proxy-pool.ts';

/** What one request through a pool ended with. */
export interface PoolRequestResult {
  /** The id of the proxy that carried it. */
  readonly proxyId: string;
  /** The response, or `undefined` when the request failed at the network level. */
  readonly response: ProxiedResponse | undefined;
}

/**
 * Sends `GET url` through a proxy of `pool`; a response with a status under 500 other than 407 counts as a
 * success for the proxy (a target's 404 is not the proxy's fault; a refused credential is).
 *
 * @throws ProxyPoolError when no proxy can be acquired
 */
export async function sendThroughPool(
  pool: ProxyPool,
  url: string,
  timeoutMs = 5_000,
): Promise<PoolRequestResult> {
  const lease = await pool.acquire();
  const started = performance.now();
  let response: ProxiedResponse | undefined;
  try {
    response = await fetchThroughProxy(lease.proxy, url, timeoutMs);
  } catch {
    response = undefined;
  }
  const ok = response !== undefined && response.status < 500 && response.status !== 407;
  lease.release({ ok, latencyMs: performance.now() - started });
  return { proxyId: lease.proxy.id, response };
}
