/**
 * `@yardstick/sdk`: `startTelemetry()` wires an OTel MeterProvider with yardstick's views, a fast
 * Prometheus endpoint, OTLP push and an embedded PromQL store. Every piece is also usable on its own with
 * an existing `MeterProvider` or `NodeSDK`.
 * @packageDocumentation
 */
export type { Summary, SummaryOptions } from '@yardstick/metrics-core';
export { createSummary, DEFAULT_SUMMARY_PERCENTILES } from '@yardstick/metrics-core';
export type { ConfigErrorCode, ConfigProblem, ConfigSource } from './config/config-error.ts';
export { ConfigError } from './config/config-error.ts';
export { describeConfig } from './config/describe-config.ts';
export { parseDuration } from './config/duration.ts';
export type { LoadConfigOptions } from './config/load-config.ts';
export { loadConfig } from './config/load-config.ts';
export type { YardstickConfig, YardstickConfigInput } from './config/schema.ts';
export { yardstickConfigSchema } from './config/schema.ts';
export type { YardstickErrorCode } from './errors.ts';
export { YardstickError } from './errors.ts';
export type {
  ExpositionFormat,
  ExpositionOptions,
  NegotiatedExposition,
  PrometheusReaderOptions,
  SummarySource,
} from './exposition/index.ts';
export {
  ExpositionSerializer,
  negotiateExposition,
  OPENMETRICS_CONTENT_TYPE,
  PrometheusReader,
  renderExposition,
  TEXT_CONTENT_TYPE,
} from './exposition/index.ts';
export type {
  DependencyCheck,
  DependencyCheckOutcome,
  DependencyStatus,
  TrackDependencyOptions,
  TrackedDependency,
} from './kits/health/index.ts';
export {
  DEPENDENCY_CHECK_BUCKETS,
  DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE,
  DEPENDENCY_METRIC_NAMES,
  DEPENDENCY_NAME_ATTRIBUTE,
  trackDependency,
} from './kits/health/index.ts';
export type { HttpClientMetrics, HttpClientMetricsOptions } from './kits/http-client/index.ts';
export {
  HTTP_CLIENT_DURATION_BUCKETS,
  HTTP_CLIENT_DURATION_METRIC,
  OTHER_SERVER,
  trackHttpClientRequests,
} from './kits/http-client/index.ts';
export type { HonoContextLike, HttpServerHonoMiddleware } from './kits/http-server/hono-middleware.ts';
export type {
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
  HttpRequestListener,
  HttpServerFastifyPlugin,
  HttpServerMetrics,
  HttpServerMetricsOptions,
  HttpServerMiddleware,
} from './kits/http-server/http-server-metrics.ts';
export { createHttpServerMetrics } from './kits/http-server/http-server-metrics.ts';
export type {
  PoolItemState,
  PoolLease,
  PoolReading,
  TrackedPool,
  TrackPoolOptions,
} from './kits/pools/index.ts';
export {
  POOL_ITEM_STATE_ATTRIBUTE,
  POOL_METRIC_NAMES,
  POOL_NAME_ATTRIBUTE,
  POOL_TIME_BUCKETS,
  trackPool,
} from './kits/pools/index.ts';
export type {
  InstrumentedRedis,
  InstrumentRedisOptions,
  RedisClientLike,
  RedisCommandLike,
} from './kits/redis/index.ts';
export { instrumentRedis, REDIS_DURATION_BUCKETS, REDIS_METRIC_NAMES } from './kits/redis/index.ts';
export type {
  PromClientRuntimeMetrics,
  PromClientRuntimeMetricsOptions,
} from './kits/runtime/prom-client-runtime-metrics.ts';
export { startPromClientRuntimeMetrics } from './kits/runtime/prom-client-runtime-metrics.ts';
export type { RuntimeMetrics, RuntimeMetricsOptions } from './kits/runtime/runtime-metrics.ts';
export { startRuntimeMetrics } from './kits/runtime/runtime-metrics.ts';
export type { Logger } from './logging/logger.ts';
export { createDefaultLogger, routeDiagTo, silentLogger } from './logging/logger.ts';
export type { OtlpReaderOptions } from './otlp/create-otlp-reader.ts';
export { createOtlpReader } from './otlp/create-otlp-reader.ts';
export type { CoreMetricProducerOptions } from './provider/core-readers.ts';
export type { QueryApiOptions } from './query-api/prometheus-api.ts';
export { createQueryApi } from './query-api/prometheus-api.ts';
export type { ResourceOptions } from './resource/create-resource.ts';
export { createResource } from './resource/create-resource.ts';
export type {
  AccessOptions,
  ExpositionSource,
  MetricsHandlerOptions,
  RequestHandler,
} from './server/metrics-handler.ts';
export { createMetricsHandler } from './server/metrics-handler.ts';
export type { Route, TelemetryServer, TelemetryServerOptions } from './server/telemetry-server.ts';
export { startTelemetryServer } from './server/telemetry-server.ts';
export type { TlsCredentials, TlsCredentialsResult, TlsFiles } from './server/tls-credentials.ts';
export { readTlsCredentials } from './server/tls-credentials.ts';
export type { UiDashboardConfig, UiDashboardPanel } from './server/ui-dashboards.ts';
export type { StartTelemetryOptions, Telemetry } from './start-telemetry.ts';
export { connectTelemetry, startTelemetry } from './start-telemetry.ts';
export type {
  DependencyStats,
  PoolStats,
  RouteStats,
  ServiceStats,
} from './stats/service-stats.ts';
export { computeServiceStats } from './stats/service-stats.ts';
export type { StatsHandlerOptions } from './stats/stats-handler.ts';
export { createStatsHandler } from './stats/stats-handler.ts';
export type {
  PersistenceTimings,
  RestoreResult,
  StorePersistenceOptions,
} from './store/persistence/store-persistence.ts';
export { StorePersistence } from './store/persistence/store-persistence.ts';
export type { StoreReaderOptions } from './store/store-reader.ts';
export { StoreReader } from './store/store-reader.ts';
