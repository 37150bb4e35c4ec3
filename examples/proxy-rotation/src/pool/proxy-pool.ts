/**
 * `ProxyPool`: the proxies of one (pool, region), handed out by a rotation strategy, health-checked on a
 * timer, and measured with yardstick's pool kit (`pool.items` by state, lease wait and use times), health
 * kit (`dependency.*` per proxy) and the library's own request metrics.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import {
  type Logger,
  type PoolLease,
  type TrackedDependency,
  type TrackedPool,
  trackDependency,
  trackPool,
} from '@yardstick/sdk';
import type { ProxyWhirlMetrics } from '../metrics/proxywhirl-metrics.ts';
import { HealthHysteresis } from './health-hysteresis.ts';
import { healthProbe, type ProbeKind } from './health-probe.ts';
import { type ProxyEndpoint, type ProxySpec, parseProxySpec } from './proxy-endpoint.ts';
import { createProxyInstruments, PROXY_ATTRIBUTES, type ProxyInstruments } from './proxy-metrics.ts';
import { ProxyPoolError } from './proxy-pool-error.ts';
import { pickProxy, type RotationStrategy } from './rotation.ts';

/** Health-check settings of a pool. */
export interface ProxyHealthOptions {
  /** Time between checks of one proxy; default 10 000 ms. */
  readonly intervalMs?: number;
  /** A check without an answer by then fails; default 2 000 ms. */
  readonly timeoutMs?: number;
  /** Consecutive failed checks that take a proxy out (K); default 3. */
  readonly unhealthyAfter?: number;
  /** Consecutive successful checks that put it back (M); default 2. */
  readonly healthyAfter?: number;
  /** `connect` (default): an HTTP CONNECT through the proxy; `tcp`: a TCP connect to it. */
  readonly probe?: ProbeKind;
  /** The `host:port` a CONNECT probe asks for; default `example.com:443`. */
  readonly connectTarget?: string;
}

/** Options of {@link ProxyPool}. */
export interface ProxyPoolOptions {
  /** The pool's name (`residential`), the `pool_name` label; unique per region within the process. */
  readonly name: string;
  /** The region (`eu-west`), the `region` label. */
  readonly region: string;
  /** Proxy URLs (`http://user:pass@host:port`), optionally with ids. */
  readonly proxies: readonly (ProxySpec | string)[];
  /** Default `round-robin`. */
  readonly strategy?: RotationStrategy;
  /** Requests one proxy carries at once; default 8. */
  readonly maxInFlightPerProxy?: number;
  /** How long `acquire()` waits for a free healthy proxy; default 5 000 ms. */
  readonly acquireTimeoutMs?: number;
  readonly health?: ProxyHealthOptions;
  /** The meter to record on (`telemetry.meter('proxy-rotation')`). */
  readonly meter: Meter;
  /** Where health transitions are logged (never with a URL or credentials). */
  readonly logger?: Logger;
  /** The spec's `proxywhirl_*` metrics, shared by all pools of the process; none recorded when absent. */
  readonly proxywhirl?: ProxyWhirlMetrics;
}

/** What the caller reports when it gives a proxy back. */
export interface ReleaseResult {
  /** Whether the request through the proxy succeeded. */
  readonly ok: boolean;
  /** The request's duration; measured from `acquire()` resolving when absent. */
  readonly latencyMs?: number;
}

/** One proxy handed out by {@link ProxyPool.acquire}. */
export interface ProxyLease {
  /** The proxy to send the request through (host, port, credentials for `Proxy-Authorization`). */
  readonly proxy: ProxyEndpoint;
  /** Gives the proxy back. Never throws; a second call is ignored. */
  release(result: ReleaseResult): void;
}

/** The pool's view of one proxy, for status pages and tests. */
export interface ProxyStatus {
  readonly id: string;
  /** In rotation (see `HealthHysteresis`). */
  readonly healthy: boolean;
  /** Requests carried right now. */
  readonly inFlight: number;
  /** Requests handed to it since the pool started. */
  readonly uses: number;
}

interface ProxyEntry {
  readonly endpoint: ProxyEndpoint;
  readonly health: HealthHysteresis;
  readonly requestAttributes: { readonly ok: Attributes; readonly failed: Attributes };
  readonly transitionAttributes: { readonly up: Attributes; readonly down: Attributes };
  // Mutable counters the rotation strategies read: an entry is its own RotationCandidate.
  healthy: boolean;
  inFlight: number;
  uses: number;
  dependency?: TrackedDependency;
}

interface Waiter {
  readonly resolve: (lease: ProxyLease) => void;
  readonly reject: (error: ProxyPoolError) => void;
  readonly kitLease: PoolLease;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * A pool of proxies for one (pool, region).
 *
 * @example
 * ```ts
 * const pool = new ProxyPool({ name: 'residential', region: 'eu-west', meter, proxies: [
 *   { id: 'eu-1', url: 'http://user:pass@10.0.0.7:3128' }, { id: 'eu-2', url: 'http://10.0.0.8:3128' },
 * ] });
 * const lease = await pool.acquire();
 * const started = performance.now();
 * const ok = await fetchThrough(lease.proxy);
 * lease.release({ ok, latencyMs: performance.now() - started });
 * ```
 */
export class ProxyPool {
  readonly name: string;
  readonly region: string;
  readonly strategy: RotationStrategy;
  readonly #entries: ProxyEntry[];
  readonly #waiters: Waiter[] = [];
  readonly #maxInFlight: number;
  readonly #acquireTimeoutMs: number;
  readonly #instruments: ProxyInstruments;
  readonly #tracked: TrackedPool;
  readonly #logger: Logger | undefined;
  readonly #proxywhirl: ProxyWhirlMetrics | undefined;
  readonly #removeFromProxyWhirl: (() => void) | undefined;
  readonly #poolAttributes: { readonly ok: Attributes; readonly failed: Attributes };
  readonly #rotationAttributes: Attributes;
  #cursor = 0;
  #lastPick = -1;
  #closed = false;

  /** @throws ProxyPoolError `PROXY_SPEC_INVALID` for a bad proxy URL or id, or duplicate ids */
  constructor(options: ProxyPoolOptions) {
    this.name = options.name;
    this.region = options.region;
    this.strategy = options.strategy ?? 'round-robin';
    this.#maxInFlight = Math.max(1, options.maxInFlightPerProxy ?? 8);
    this.#acquireTimeoutMs = Math.max(1, options.acquireTimeoutMs ?? 5_000);
    this.#logger = options.logger;
    this.#proxywhirl = options.proxywhirl;
    this.#instruments = createProxyInstruments(options.meter);
    const base = { [PROXY_ATTRIBUTES.pool]: options.name, [PROXY_ATTRIBUTES.region]: options.region };
    // Attribute objects are built once per pool and proxy, so a request records without allocating them.
    this.#poolAttributes = {
      ok: { ...base, [PROXY_ATTRIBUTES.outcome]: 'success' },
      failed: { ...base, [PROXY_ATTRIBUTES.outcome]: 'failure' },
    };
    this.#rotationAttributes = { ...base, [PROXY_ATTRIBUTES.strategy]: this.strategy };
    const health = options.health ?? {};
    const endpoints = options.proxies.map((spec, i) =>
      parseProxySpec(spec, `${options.name}-${options.region}`, i),
    );
    const ids = new Set(endpoints.map((e) => e.id));
    if (ids.size !== endpoints.length) {
      throw new ProxyPoolError('PROXY_SPEC_INVALID', `pool ${options.name}: proxy ids must be unique`);
    }
    this.#entries = endpoints.map((endpoint) => {
      const proxyBase = { ...base, [PROXY_ATTRIBUTES.proxy]: endpoint.id };
      return {
        endpoint,
        health: new HealthHysteresis(health.unhealthyAfter ?? 3, health.healthyAfter ?? 2),
        requestAttributes: {
          ok: { ...proxyBase, [PROXY_ATTRIBUTES.outcome]: 'success' },
          failed: { ...proxyBase, [PROXY_ATTRIBUTES.outcome]: 'failure' },
        },
        transitionAttributes: {
          up: { ...proxyBase, [PROXY_ATTRIBUTES.direction]: 'up' },
          down: { ...proxyBase, [PROXY_ATTRIBUTES.direction]: 'down' },
        },
        healthy: true,
        inFlight: 0,
        uses: 0,
      };
    });
    this.#tracked = trackPool(options.meter, {
      name: options.name,
      attributes: { [PROXY_ATTRIBUTES.region]: options.region },
      size: () => this.#entries.length,
      inUse: () => this.#entries.filter((e) => e.healthy && e.inFlight > 0).length,
      unhealthy: () => this.#entries.filter((e) => !e.healthy).length,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.#removeFromProxyWhirl = options.proxywhirl?.addPool({
      name: options.name,
      healthCounts: () => {
        const healthy = this.#entries.filter((e) => e.healthy).length;
        return { healthy, unhealthy: this.#entries.length - healthy };
      },
    });
    const probe = healthProbe(health.probe ?? 'connect', health.connectTarget ?? 'example.com:443');
    for (const entry of this.#entries) {
      entry.dependency = trackDependency(options.meter, {
        name: `proxy:${options.name}/${options.region}/${entry.endpoint.id}`,
        attributes: { ...base, [PROXY_ATTRIBUTES.proxy]: entry.endpoint.id },
        intervalMs: health.intervalMs ?? 10_000,
        timeoutMs: health.timeoutMs ?? 2_000,
        ...(options.logger ? { logger: options.logger } : {}),
        check: async (signal) => {
          try {
            await probe(entry.endpoint, signal);
          } catch (error) {
            this.#recordCheck(entry, false);
            throw error;
          }
          this.#recordCheck(entry, true);
        },
      });
    }
  }

  /**
   * A proxy for one request: at once when a healthy proxy has a free slot, else the first to free up
   * within `acquireTimeoutMs`.
   *
   * @throws ProxyPoolError `POOL_EXHAUSTED` when none frees up in time, `POOL_CLOSED` after `close()`
   */
  acquire(): Promise<ProxyLease> {
    if (this.#closed) {
      return Promise.reject(
        new ProxyPoolError('POOL_CLOSED', `pool ${this.name} (${this.region}) is closed`),
      );
    }
    const kitLease = this.#tracked.acquireStarted();
    const index = this.#pick();
    if (index >= 0) return Promise.resolve(this.#hand(index, kitLease));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.findIndex((w) => w.timer === timer);
        if (at >= 0) this.#waiters.splice(at, 1);
        kitLease.timedOut();
        reject(
          new ProxyPoolError(
            'POOL_EXHAUSTED',
            `pool ${this.name} (${this.region}): no healthy proxy free within ${this.#acquireTimeoutMs} ms`,
          ),
        );
      }, this.#acquireTimeoutMs);
      this.#waiters.push({ resolve, reject, kitLease, timer });
    });
  }

  /** Each proxy's health and load. */
  status(): ProxyStatus[] {
    return this.#entries.map((e) => ({
      id: e.endpoint.id,
      healthy: e.healthy,
      inFlight: e.inFlight,
      uses: e.uses,
    }));
  }

  /** Runs every proxy's health check now (skipped for a proxy whose check is still running). */
  async checkNow(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.dependency?.checkNow()));
  }

  /**
   * Stops health checks and the pool's metrics; waiting acquires are rejected with `POOL_CLOSED`. Leases
   * still out may be released; they record nothing more.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#entries) entry.dependency?.stop();
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.kitLease.failed();
      waiter.reject(new ProxyPoolError('POOL_CLOSED', `pool ${this.name} (${this.region}) was closed`));
    }
    this.#tracked.close();
    this.#removeFromProxyWhirl?.();
  }

  #pick(): number {
    return pickProxy(this.strategy, this.#entries, this.#maxInFlight, this.#cursor);
  }

  #hand(index: number, kitLease: PoolLease): ProxyLease {
    const entry = this.#entries[index]!;
    entry.inFlight++;
    entry.uses++;
    if (this.#lastPick !== -1 && this.#lastPick !== index && !this.#closed) {
      this.#instruments.rotations.add(1, this.#rotationAttributes);
    }
    this.#lastPick = index;
    this.#cursor = index + 1;
    kitLease.acquired();
    const handedAt = performance.now();
    let released = false;
    return {
      proxy: entry.endpoint,
      release: (result) => {
        if (released) return;
        released = true;
        entry.inFlight--;
        if (result.ok) kitLease.released();
        else kitLease.failed();
        if (!this.#closed) {
          const latencyMs = result.latencyMs ?? performance.now() - handedAt;
          this.#proxywhirl?.recordRequest(
            this.name,
            this.region,
            result.ok ? 'success' : 'error',
            latencyMs / 1000,
          );
          // A negative or NaN latency from the caller is dropped rather than recorded as nonsense.
          if (Number.isFinite(latencyMs) && latencyMs >= 0) {
            this.#instruments.requestDuration.record(
              latencyMs / 1000,
              result.ok ? this.#poolAttributes.ok : this.#poolAttributes.failed,
            );
          }
          this.#instruments.requests.add(
            1,
            result.ok ? entry.requestAttributes.ok : entry.requestAttributes.failed,
          );
        }
        this.#serveWaiters();
      },
    };
  }

  #serveWaiters(): void {
    while (this.#waiters.length > 0 && !this.#closed) {
      const index = this.#pick();
      if (index < 0) return;
      const waiter = this.#waiters.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve(this.#hand(index, waiter.kitLease));
    }
  }

  #recordCheck(entry: ProxyEntry, success: boolean): void {
    if (this.#closed) return;
    this.#proxywhirl?.recordHealthCheck(this.name, entry.endpoint.id, success ? 'success' : 'failure');
    const transition = entry.health.record(success);
    if (transition === undefined) return;
    entry.healthy = entry.health.healthy;
    this.#instruments.healthTransitions.add(1, entry.transitionAttributes[transition]);
    const context = { pool: this.name, region: this.region, proxy: entry.endpoint.id };
    if (transition === 'down') this.#logger?.warn(context, 'proxy taken out of rotation');
    else {
      this.#logger?.info(context, 'proxy back in rotation');
      this.#serveWaiters();
    }
  }
}
