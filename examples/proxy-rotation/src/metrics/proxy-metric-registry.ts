/**
 * The ProxyMetrics of a service (seed 003 "Runtime Validation": metric name collision detection) and the
 * label combinations they record, bounded in total by `MetricsConfig.label_cardinality_limit` (seed 003
 * cross-entity rule 4). Alert rules, dashboard panels and historical exports are checked against it
 * (rules 1–3, `metric-references.ts`).
 */
import {
  createProxyMetric,
  type ProxyMetric,
  ProxyMetricError,
  type ProxyMetricInput,
} from './proxy-metric.ts';

/** The attributes of the overflow series, as the OTel cardinality-limit spec names it. */
export const OVERFLOW_ATTRIBUTES = Object.freeze({ 'otel.metric.overflow': true });

// The series a histogram or summary serves under its name on /metrics, which queries select.
const SERIES_SUFFIXES: Readonly<Record<ProxyMetric['metric_type'], readonly string[]>> = {
  counter: [],
  gauge: [],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Options of {@link ProxyMetricRegistry}. */
export interface ProxyMetricRegistryOptions {
  /**
   * `MetricsConfig.label_cardinality_limit`: label combinations all ProxyMetrics together may record;
   * default unbounded (the SDK's per-metric series limit still applies).
   */
  readonly labelCardinalityLimit?: number;
}

/**
 * The registered ProxyMetrics, in registration order.
 *
 * @example
 * ```ts
 * const registry = new ProxyMetricRegistry({ labelCardinalityLimit: config.label_cardinality_limit });
 * registry.register({ name: 'proxywhirl_alerts_active', metric_type: 'gauge',
 *   description: 'Alerts firing now', instrument: meter.createObservableGauge('proxywhirl.alerts.active') });
 * registry.resolve('proxywhirl_request_duration_seconds_bucket'); // the histogram's ProxyMetric
 * ```
 */
export class ProxyMetricRegistry {
  readonly #metrics = new Map<string, ProxyMetric>();
  readonly #combinations = new Map<string, Set<string>>();
  readonly #limit: number;
  #total = 0;

  constructor(options: ProxyMetricRegistryOptions = {}) {
    this.#limit = options.labelCardinalityLimit ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Validates and registers a ProxyMetric.
   *
   * @throws ProxyMetricError `PROXY_METRIC_INVALID` naming the field, or `PROXY_METRIC_DUPLICATE` when the
   *   name (or a series name of a registered histogram or summary) is taken
   */
  register(input: ProxyMetricInput): ProxyMetric {
    const metric = createProxyMetric(input);
    const taken = this.resolve(metric.name);
    const series = SERIES_SUFFIXES[metric.metric_type].map((suffix) => metric.name + suffix);
    const clash = taken ?? series.map((name) => this.#metrics.get(name)).find((m) => m !== undefined);
    if (clash !== undefined) {
      throw new ProxyMetricError('PROXY_METRIC_DUPLICATE', metric.name, [
        { field: 'name', message: `collides with the registered ${clash.metric_type} ${clash.name}` },
      ]);
    }
    this.#metrics.set(metric.name, metric);
    this.#combinations.set(metric.name, new Set());
    return metric;
  }

  /** Every registered ProxyMetric, in registration order. */
  list(): readonly ProxyMetric[] {
    return [...this.#metrics.values()];
  }

  /** The ProxyMetric of that name. */
  get(name: string): ProxyMetric | undefined {
    return this.#metrics.get(name);
  }

  /**
   * The ProxyMetric a series name of `/metrics` belongs to: its own name, or `_bucket`/`_sum`/`_count` of a
   * histogram (`_sum`/`_count` of a summary).
   */
  resolve(seriesName: string): ProxyMetric | undefined {
    const exact = this.#metrics.get(seriesName);
    if (exact !== undefined) return exact;
    const suffix = /_(bucket|sum|count)$/.exec(seriesName)?.[0];
    if (suffix === undefined) return undefined;
    const base = this.#metrics.get(seriesName.slice(0, -suffix.length));
    return base !== undefined && SERIES_SUFFIXES[base.metric_type].includes(suffix) ? base : undefined;
  }

  /** `MetricsConfig.label_cardinality_limit` in force (`Infinity` when none was given). */
  get labelCardinalityLimit(): number {
    return this.#limit;
  }

  /** Label combinations recorded so far by all ProxyMetrics together. */
  get labelCombinations(): number {
    return this.#total;
  }

  /**
   * Whether metric `name` may record the label combination `key` (its label values joined): yes when it
   * has before, or while the total stays within the limit, which then counts it. A `false` means the
   * caller records on the overflow series ({@link OVERFLOW_ATTRIBUTES}) instead, so no measurement is
   * lost. One combination per ProxyMetric is kept for that overflow series, so the total with them stays
   * within the limit too. Never throws: an unregistered name is refused.
   */
  admit(name: string, key: string): boolean {
    const seen = this.#combinations.get(name);
    if (seen === undefined) return false;
    if (seen.has(key)) return true;
    if (this.#total + this.#metrics.size >= this.#limit) return false;
    seen.add(key);
    this.#total++;
    return true;
  }
}
