/**
 * Maps ProxyWhirl's `MetricsConfig` onto yardstick's configuration (seed 000 T034): the spec's names on the
 * left, where yardstick keeps the same setting on the right.
 *
 * | MetricsConfig | yardstick |
 * |---|---|
 * | `enabled` | `enabled` |
 * | `exposition_host` / `exposition_port` / `exposition_path` | `server.host` / `server.port` / `server.metricsPath` |
 * | `scrape_interval_seconds` | `collectIntervalMs` (the embedded store scrapes itself as often as Prometheus would) |
 * | `enable_process_metrics` / `enable_pool_metrics` / `enable_request_metrics` | `metrics.process` / `metrics.pools` / `metrics.requests` |
 * | `histogram_buckets` | `histogramBuckets` (and the buckets of `proxywhirl_request_duration_seconds`) |
 * | `label_cardinality_limit` | `cardinality.defaultLimit` (series per metric; the five ProxyMetrics together are bounded by their registry, `ProxyWhirlMetrics`' `labelCardinalityLimit`) |
 * | `basic_auth_username` / `basic_auth_password` | `server.auth.username` / `server.auth.password` |
 * | `tls_cert_file` / `tls_key_file` | `server.tls.certFile` / `server.tls.keyFile` (HTTPS only; both files reloaded on change or SIGHUP) |
 */
import type { YardstickConfigInput } from '@yardstick/sdk';
import type { MetricsConfig } from './metrics-config.ts';

/** The yardstick configuration for a `MetricsConfig`, to merge with the rest of a service's config. */
export function toYardstickConfig(config: MetricsConfig) {
  const auth =
    config.basic_auth_username !== undefined && config.basic_auth_password !== undefined
      ? { username: config.basic_auth_username, password: config.basic_auth_password.reveal() }
      : undefined;
  return {
    enabled: config.enabled,
    server: {
      host: config.exposition_host,
      port: config.exposition_port,
      metricsPath: config.exposition_path,
      ...(auth === undefined ? {} : { auth }),
      ...(config.tls_cert_file === undefined || config.tls_key_file === undefined
        ? {}
        : { tls: { certFile: config.tls_cert_file, keyFile: config.tls_key_file } }),
    },
    collectIntervalMs: config.scrape_interval_seconds * 1000,
    histogramBuckets: [...config.histogram_buckets],
    metrics: {
      process: config.enable_process_metrics,
      pools: config.enable_pool_metrics,
      requests: config.enable_request_metrics,
    },
    cardinality: { defaultLimit: config.label_cardinality_limit },
  } satisfies YardstickConfigInput;
}
