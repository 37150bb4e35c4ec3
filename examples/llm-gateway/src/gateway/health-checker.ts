/**
 * Health checks of the fleet (Nexus's HealthChecker): every `intervalMs`, `GET <url>/models` on each
 * backend (the OpenAI-compatible model list, which every such server answers cheaply), bounded by
 * `timeoutMs`. A 2xx marks the backend healthy and its round-trip time is reported; anything else marks it
 * unhealthy. Checks of one backend never overlap; a check that fails never throws.
 */
import type { BackendRegistry } from './backend-registry.ts';
import type { Backend, HealthCheckConfig } from './gateway-config.ts';

/** Called after each successful check with the round-trip time in seconds (`nexus_backend_latency_seconds`). */
export type HealthLatencyListener = (backend: Backend, seconds: number) => void;

async function checkOnce(backend: Backend, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (backend.apiKey !== undefined) headers.authorization = `Bearer ${backend.apiKey}`;
  try {
    const response = await fetch(`${backend.url}/models`, {
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read (and drop) the body so the connection goes back to the pool.
    await response.arrayBuffer();
    return response.ok ? (performance.now() - started) / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks every backend of `registry` now and then every `intervalMs` until the returned function is
 * called (which resolves once running checks ended). Does nothing with `intervalMs` 0.
 */
export function startHealthChecks(
  registry: BackendRegistry,
  config: HealthCheckConfig,
  onLatency: HealthLatencyListener,
): () => Promise<void> {
  if (config.intervalMs === 0) return async () => undefined;
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  const round = (): void => {
    for (const backend of registry.backends) {
      if (running.has(backend.name)) continue;
      const check = checkOnce(backend, config.timeoutMs).then((seconds) => {
        running.delete(backend.name);
        if (stopped) return;
        registry.setHealth(backend.name, seconds === undefined ? 'unhealthy' : 'healthy');
        if (seconds !== undefined) onLatency(backend, seconds);
      });
      running.set(backend.name, check);
    }
  };
  round();
  const timer = setInterval(round, config.intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await Promise.all(running.values());
  };
}
