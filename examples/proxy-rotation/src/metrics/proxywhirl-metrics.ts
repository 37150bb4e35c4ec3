/**
 * The metrics ProxyWhirl's spec fixes (seed 000 T028/T029–T031/T055, data model `ProxyMetric`), recorded
 * through the OTel API so the OTel→Prometheus translation gives exactly the spec's names:
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `proxywhirl.requests` | Counter | `{request}` | `proxywhirl_requests_total` | `pool`, `region`, `status` |
 * | `proxywhirl.request.duration` | Histogram | `s` | `proxywhirl_request_duration_seconds` | `pool`, `region` |
 * | `proxywhirl.pool.proxies` | ObservableGauge | `{proxy}` | `proxywhirl_pool_proxies` | `pool`, `health_status` |
 * | `proxywhirl.proxy.health_checks` | Counter | `{check}` | `proxywhirl_proxy_health_checks_total` | `pool`, `proxy_id`, `result` |
 * | `proxywhirl.alerts.active` | ObservableGauge | `{alert}` | `proxywhirl_alerts_active` | none |
 *
 * Each is registered as a `ProxyMetric` in {@link ProxyWhirlMetrics.registry}, which alert rules, dashboards
 * and exports are checked against, and which bounds their label combinations in total
 * (`label_cardinality_limit`): a new combination past it is recorded on the `otel.metric.overflow` series.
 *
 * They sit beside the kits' semantic-convention metrics (`pool.*`, `dependency.*`) and the library's own
 * `proxy.*`, which keep their names. Label values are configured names only (pool, region, proxy id), never
 * a host, an address or a credential.
 */
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type ObservableResult,
} from '@opentelemetry/api';
import { OVERFLOW_ATTRIBUTES, ProxyMetricRegistry } from './proxy-metric-registry.ts';

/** The spec's default latency buckets (seconds), `MetricsConfig.histogram_buckets`. */
export const PROXYWHIRL_DEFAULT_BUCKETS: readonly number[] = [0.1, 0.5, 1, 2, 5, 10];

/** `status` of `proxywhirl_requests_total`: the values the spec's alert rules query. */
export type RequestStatus = 'success' | 'error';

/** `result` of `proxywhirl_proxy_health_checks_total`. */
export type HealthCheckResult = 'success' | 'failure';

/** The switches of `MetricsConfig` that can change while the service runs. */
export interface ProxyWhirlMetricSwitches {
  /** `enable_request_metrics`: `proxywhirl_requests_total` and `proxywhirl_request_duration_seconds`. */
  readonly requests: boolean;
  /** `enable_pool_metrics`: `proxywhirl_pool_proxies` and `proxywhirl_proxy_health_checks_total`. */
  readonly pools: boolean;
}

/** What a pool reports for `proxywhirl_pool_proxies` at collection time. */
export interface PoolHealthSource {
  /** The pool's name, the `pool` label (pools of one name in several regions are summed, as the spec has no region here). */
  readonly name: string;
  /** Proxies in rotation and out of it right now. */
  healthCounts(): { readonly healthy: number; readonly unhealthy: number };
}

/** Options of {@link ProxyWhirlMetrics}. */
export interface ProxyWhirlMetricsOptions {
  /** Latency buckets in seconds; default {@link PROXYWHIRL_DEFAULT_BUCKETS}. */
  readonly buckets?: readonly number[];
  /** Default: both on. */
  readonly switches?: ProxyWhirlMetricSwitches;
  /** Number of alerts firing now, for `proxywhirl_alerts_active`; the gauge reports 0 without it. */
  readonly activeAlerts?: () => number;
  /** `MetricsConfig.label_cardinality_limit`: label combinations of the five metrics together; default unbounded. */
  readonly labelCardinalityLimit?: number;
}

/** The Prometheus names of the five metrics, as registered. */
const PROXYWHIRL_METRIC_NAMES = {
  requests: 'proxywhirl_requests_total',
  duration: 'proxywhirl_request_duration_seconds',
  poolProxies: 'proxywhirl_pool_proxies',
  healthChecks: 'proxywhirl_proxy_health_checks_total',
  alertsActive: 'proxywhirl_alerts_active',
} as const;

// One description per metric, for its instrument (the HELP line) and its ProxyMetric alike.
const DESCRIPTIONS: Readonly<Record<keyof typeof PROXYWHIRL_METRIC_NAMES, string>> = {
  requests: 'Requests sent through a proxy pool, by status (success, error).',
  duration: 'Duration of requests sent through a proxy pool.',
  poolProxies: 'Proxies of a pool by health status (healthy, unhealthy).',
  healthChecks: 'Health checks of a proxy, by result (success, failure).',
  alertsActive: 'Alerts firing now (suppressed ones not counted).',
};

/**
 * The spec's instruments on one meter, shared by every pool of the process (the pool gauge sums pools of
 * one name at collection time). Recording methods never throw.
 *
 * @example
 * ```ts
 * const metrics = new ProxyWhirlMetrics(telemetry.meter('proxywhirl'), { buckets: config.histogram_buckets });
 * const pool = new ProxyPool({ name: 'residential', region: 'eu-west', meter, proxies, proxywhirl: metrics });
 * ```
 */
export class ProxyWhirlMetrics {
  /** The five metrics as the spec's `ProxyMetric`s, with their instruments. */
  readonly registry: ProxyMetricRegistry;
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #healthChecks: Counter;
  readonly #pools = new Set<PoolHealthSource>();
  #switches: ProxyWhirlMetricSwitches;
  #activeAlerts: (() => number) | undefined;
  // Attribute objects per (pool, region, status) and (pool, proxy, result), built once: recording a request
  // then allocates nothing (the counter's attribute cache keys on the object's content anyway). Keys the
  // registry refused (past label_cardinality_limit) are not kept: their number has no bound.
  readonly #requestAttributes = new Map<string, Attributes>();
  readonly #durationAttributes = new Map<string, Attributes>();
  readonly #checkAttributes = new Map<string, Attributes>();

  constructor(meter: Meter, options: ProxyWhirlMetricsOptions = {}) {
    this.#switches = options.switches ?? { requests: true, pools: true };
    this.#activeAlerts = options.activeAlerts;
    const registry = new ProxyMetricRegistry(
      options.labelCardinalityLimit === undefined
        ? {}
        : { labelCardinalityLimit: options.labelCardinalityLimit },
    );
    this.registry = registry;
    this.#requests = meter.createCounter('proxywhirl.requests', {
      description: DESCRIPTIONS.requests,
      unit: '{request}',
    });
    registry.register({
      name: PROXYWHIRL_METRIC_NAMES.requests,
      metric_type: 'counter',
      description: DESCRIPTIONS.requests,
      labels: ['pool', 'region', 'status'],
      instrument: this.#requests,
    });
    this.#duration = meter.createHistogram('proxywhirl.request.duration', {
      description: DESCRIPTIONS.duration,
      unit: 's',
      advice: { explicitBucketBoundaries: [...(options.buckets ?? PROXYWHIRL_DEFAULT_BUCKETS)] },
    });
    registry.register({
      name: PROXYWHIRL_METRIC_NAMES.duration,
      metric_type: 'histogram',
      description: DESCRIPTIONS.duration,
      labels: ['pool', 'region'],
      instrument: this.#duration,
    });
    const poolProxies = meter.createObservableGauge('proxywhirl.pool.proxies', {
      description: DESCRIPTIONS.poolProxies,
      unit: '{proxy}',
    });
    poolProxies.addCallback((result) => this.#observePools(result));
    registry.register({
      name: PROXYWHIRL_METRIC_NAMES.poolProxies,
      metric_type: 'gauge',
      description: DESCRIPTIONS.poolProxies,
      labels: ['pool', 'health_status'],
      instrument: poolProxies,
    });
    this.#healthChecks = meter.createCounter('proxywhirl.proxy.health_checks', {
      description: DESCRIPTIONS.healthChecks,
      unit: '{check}',
    });
    registry.register({
      name: PROXYWHIRL_METRIC_NAMES.healthChecks,
      metric_type: 'counter',
      description: DESCRIPTIONS.healthChecks,
      labels: ['pool', 'proxy_id', 'result'],
      instrument: this.#healthChecks,
    });
    const alertsActive = meter.createObservableGauge('proxywhirl.alerts.active', {
      description: DESCRIPTIONS.alertsActive,
      unit: '{alert}',
    });
    alertsActive.addCallback((result) => {
      if (registry.admit(PROXYWHIRL_METRIC_NAMES.alertsActive, '')) result.observe(this.#countAlerts());
      else result.observe(this.#countAlerts(), OVERFLOW_ATTRIBUTES);
    });
    registry.register({
      name: PROXYWHIRL_METRIC_NAMES.alertsActive,
      metric_type: 'gauge',
      description: DESCRIPTIONS.alertsActive,
      instrument: alertsActive,
    });
  }

  /** The switches in force. */
  get switches(): ProxyWhirlMetricSwitches {
    return this.#switches;
  }

  /** Turns request or pool metrics on or off while running (hot reload of `MetricsConfig`). */
  setSwitches(switches: ProxyWhirlMetricSwitches): void {
    this.#switches = switches;
  }

  /** Sets where `proxywhirl_alerts_active` reads the number of firing alerts. */
  setActiveAlerts(source: () => number): void {
    this.#activeAlerts = source;
  }

  /** Adds a pool to `proxywhirl_pool_proxies`; returns the function that removes it. */
  addPool(pool: PoolHealthSource): () => void {
    this.#pools.add(pool);
    return () => {
      this.#pools.delete(pool);
    };
  }

  /** One request through `pool` in `region`; a negative or non-finite duration records the count only. */
  recordRequest(pool: string, region: string, status: RequestStatus, seconds: number): void {
    if (!this.#switches.requests) return;
    const key = `${pool}\u0000${region}\u0000${status}`;
    let attributes = this.#requestAttributes.get(key);
    if (attributes === undefined) {
      attributes = this.#admit(PROXYWHIRL_METRIC_NAMES.requests, key, { pool, region, status });
      if (attributes !== OVERFLOW_ATTRIBUTES) this.#requestAttributes.set(key, attributes);
    }
    this.#requests.add(1, attributes);
    if (!(Number.isFinite(seconds) && seconds >= 0)) return;
    const durationKey = `${pool}\u0000${region}`;
    let durationAttributes = this.#durationAttributes.get(durationKey);
    if (durationAttributes === undefined) {
      durationAttributes = this.#admit(PROXYWHIRL_METRIC_NAMES.duration, durationKey, { pool, region });
      if (durationAttributes !== OVERFLOW_ATTRIBUTES)
        this.#durationAttributes.set(durationKey, durationAttributes);
    }
    this.#duration.record(seconds, durationAttributes);
  }

  /** One health check of proxy `proxyId` (its configured id) of `pool`. */
  recordHealthCheck(pool: string, proxyId: string, result: HealthCheckResult): void {
    if (!this.#switches.pools) return;
    const key = `${pool}\u0000${proxyId}\u0000${result}`;
    let attributes = this.#checkAttributes.get(key);
    if (attributes === undefined) {
      attributes = this.#admit(PROXYWHIRL_METRIC_NAMES.healthChecks, key, {
        pool,
        proxy_id: proxyId,
        result,
      });
      if (attributes !== OVERFLOW_ATTRIBUTES) this.#checkAttributes.set(key, attributes);
    }
    this.#healthChecks.add(1, attributes);
  }

  #observePools(result: ObservableResult): void {
    if (!this.#switches.pools) return;
    const byPool = new Map<string, { healthy: number; unhealthy: number }>();
    for (const pool of this.#pools) {
      const counts = pool.healthCounts();
      const sum = byPool.get(pool.name) ?? { healthy: 0, unhealthy: 0 };
      sum.healthy += counts.healthy;
      sum.unhealthy += counts.unhealthy;
      byPool.set(pool.name, sum);
    }
    // Observations past the limit are summed into one overflow point: a gauge observed twice for one
    // attribute set would keep only the last value.
    let overflow: number | undefined;
    for (const [pool, counts] of byPool) {
      for (const [health_status, value] of [
        ['healthy', counts.healthy],
        ['unhealthy', counts.unhealthy],
      ] as const) {
        const attributes = this.#admit(PROXYWHIRL_METRIC_NAMES.poolProxies, `${pool}\u0000${health_status}`, {
          pool,
          health_status,
        });
        if (attributes === OVERFLOW_ATTRIBUTES) overflow = (overflow ?? 0) + value;
        else result.observe(value, attributes);
      }
    }
    if (overflow !== undefined) result.observe(overflow, OVERFLOW_ATTRIBUTES);
  }

  /** `attributes` when the registry admits the combination, else the overflow series' (never lost). */
  #admit(metric: string, key: string, attributes: Attributes): Attributes {
    return this.registry.admit(metric, key) ? attributes : OVERFLOW_ATTRIBUTES;
  }

  #countAlerts(): number {
    if (this.#activeAlerts === undefined) return 0;
    try {
      return this.#activeAlerts();
    } catch {
      // A collection must not fail because the alert source did; 0 is what an idle evaluator reports.
      return 0;
    }
  }
}

/**
 * The five metrics' ProxyMetrics on a no-op meter, for tools that check names against them without
 * recording (the export CLI, the dashboard generator); a running service uses its
 * {@link ProxyWhirlMetrics.registry}.
 */
export function proxyWhirlMetricCatalog(): ProxyMetricRegistry {
  return new ProxyWhirlMetrics(createNoopMeter()).registry;
}
