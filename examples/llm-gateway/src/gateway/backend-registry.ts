/**
 * The registered fleet (Nexus's Registry): every configured backend with its health as the last health
 * check saw it, and the attempts in flight on it right now. The router skips backends known to be
 * unhealthy; the fleet gauges and `/v1/stats` read it at collection time.
 */
import type { Backend, GatewayConfig } from './gateway-config.ts';

/** A backend's health: `unknown` until its first check (or with health checks off), then the last result. */
export type BackendHealth = 'unknown' | 'healthy' | 'unhealthy';

/** The fleet of one gateway. */
export class BackendRegistry {
  readonly #backends: readonly Backend[];
  readonly #routes: GatewayConfig['routes'];
  readonly #health = new Map<string, BackendHealth>();
  readonly #inFlight = new Map<string, number>();

  constructor(config: Pick<GatewayConfig, 'backends' | 'routes'>) {
    this.#backends = [...config.backends.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    this.#routes = config.routes;
    for (const backend of this.#backends) {
      this.#health.set(backend.name, 'unknown');
      this.#inFlight.set(backend.name, 0);
    }
  }

  /** Every registered backend, sorted by name. */
  get backends(): readonly Backend[] {
    return this.#backends;
  }

  /** Every routed model, in the order of the routing table. */
  get models(): readonly string[] {
    return [...this.#routes.keys()];
  }

  /** The health of backend `name` (`unknown` for a name that is not registered). */
  health(name: string): BackendHealth {
    return this.#health.get(name) ?? 'unknown';
  }

  /** Records the result of a health check. */
  setHealth(name: string, health: 'healthy' | 'unhealthy'): void {
    if (this.#health.has(name)) this.#health.set(name, health);
  }

  /** Whether the router may send to `name`: anything but known-unhealthy (unchecked backends are tried). */
  isRoutable(name: string): boolean {
    return this.#health.get(name) !== 'unhealthy';
  }

  /** Backends whose last check succeeded (`nexus_backends_healthy`). */
  healthyCount(): number {
    let n = 0;
    for (const health of this.#health.values()) if (health === 'healthy') n++;
    return n;
  }

  /** Distinct models served by at least one healthy backend (`nexus_models_available`). */
  modelsAvailable(): number {
    let n = 0;
    for (const route of this.#routes.values()) {
      if (route.some((backend) => this.#health.get(backend.name) === 'healthy')) n++;
    }
    return n;
  }

  /**
   * Counts an attempt on `name` as in flight until the returned function is called (once; later calls do
   * nothing), for `nexus_pending_requests` and the `pending` of `/v1/stats`.
   */
  beginAttempt(name: string): () => void {
    const count = this.#inFlight.get(name);
    if (count === undefined) return () => {};
    this.#inFlight.set(name, count + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#inFlight.set(name, (this.#inFlight.get(name) ?? 1) - 1);
    };
  }

  /** Attempts on `name` in flight right now. */
  inFlight(name: string): number {
    return this.#inFlight.get(name) ?? 0;
  }
}
