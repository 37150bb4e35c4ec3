/**
 * `startTelemetry()`: one call that wires the OTel MeterProvider with yardstick's views and readers
 * (Prometheus pull, OTLP push, the embedded store) and starts the telemetry server.
 */
import { hostname } from 'node:os';
import { DiagLogLevel, type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider, createSummary, type Summary, type SummaryOptions } from '@yardstick/metrics-core';
import { formatDurationMs, SampleStore } from '@yardstick/promql';
import { createCorePolicies } from '@yardstick/views';
import { type RunningAlerting, startAlerting } from './alerting/start-alerting.ts';
import { clusterRoleOf, startClusterPipeline } from './cluster/cluster-pipeline.ts';
import { loadConfig } from './config/load-config.ts';
import type { YardstickConfig, YardstickConfigInput } from './config/schema.ts';
import { createConsoleReader } from './console/create-console-reader.ts';
import { PrometheusReader } from './exposition/prometheus-reader.ts';
import { type TrackDependencyOptions, type TrackedDependency, trackDependency } from './kits/health/index.ts';
import {
  type HttpClientMetrics,
  type HttpClientMetricsOptions,
  trackHttpClientRequests,
} from './kits/http-client/index.ts';
import {
  createHttpServerMetrics,
  type HttpServerMetrics,
  type HttpServerMetricsOptions,
} from './kits/http-server/http-server-metrics.ts';
import { type TrackedPool, type TrackPoolOptions, trackPool } from './kits/pools/index.ts';
import { startPromClientRuntimeMetrics } from './kits/runtime/prom-client-runtime-metrics.ts';
import { startRuntimeMetrics } from './kits/runtime/runtime-metrics.ts';
import { createDefaultLogger, type Logger, routeDiagTo } from './logging/logger.ts';
import { createOtlpReader } from './otlp/create-otlp-reader.ts';
import type { ConnectedReaders, CoreMetricProducerOptions } from './provider/core-readers.ts';
import { withDefaultHistogramBuckets } from './provider/default-histogram-buckets.ts';
import { createQueryApi, type QueryApi } from './query-api/prometheus-api.ts';
import { startRemoteWrite } from './remote-write/start-remote-write.ts';
import { createResource } from './resource/create-resource.ts';
import { queryApiExposure } from './server/query-api-exposure.ts';
import { startTelemetryServer, type TelemetryServer } from './server/telemetry-server.ts';
import { createUiDashboards, type UiDashboardConfig } from './server/ui-dashboards.ts';
import { createWebUiHandler, mountWebUi } from './server/web-ui.ts';
import type { CollectionSink } from './store/collection-sink.ts';
import { ExemplarStore } from './store/exemplar-store.ts';
import { startPersistence } from './store/persistence/start-persistence.ts';
import type { StorePersistence } from './store/persistence/store-persistence.ts';
import { StoreReader } from './store/store-reader.ts';

/** Options of {@link startTelemetry}: the config (highest precedence) plus code-only settings. */
export type StartTelemetryOptions = YardstickConfigInput & {
  /** Replaces the default pino logger (JSON on stderr at `info`). */
  readonly logger?: Logger;
  /** Environment to read `OTEL_*`/`YARDSTICK_*` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory searched for `yardstick.config.{yaml,yml,json}` and `package.json` (default `process.cwd()`). */
  readonly cwd?: string;
  /** The config file to read; default `YARDSTICK_CONFIG`, else `yardstick.config.*` in `cwd`; `false` for none. */
  readonly configFile?: string | false;
};

/** A running telemetry pipeline, returned by {@link startTelemetry}. */
export interface Telemetry {
  /** The resolved configuration (secrets included; use `describeConfig` to log it). */
  readonly config: YardstickConfig;
  /**
   * The provider to record with (it is also the global one unless `registerGlobal: false`). Instruments
   * created through it get yardstick's per-instrument series limits and value budgets.
   */
  readonly meterProvider: MeterProvider;
  /** The recording core behind {@link Telemetry.meterProvider} (its stream figures: `stats()`). */
  readonly coreMeterProvider: CoreMeterProvider;
  /**
   * Connects one more sdk-metrics `MetricReader` (e.g. a `PeriodicExportingMetricReader` of your own) to the
   * recording core. A delta reader sees what is recorded after it is added.
   */
  addMetricReader(reader: MetricReader): void;
  /**
   * The recording core's data as an sdk-metrics `MetricProducer`, for a reader of another provider (e.g.
   * NodeSDK's): pass it in the reader's `metricProducers`. Cumulative unless `aggregationTemporalitySelector`
   * says otherwise (the reader does not pass its own choice on). Each call registers a new reader on the
   * core: create one per reader, before recording starts. The reader's provider sets the resource.
   *
   * @example
   * ```ts
   * const telemetry = await startTelemetry({ serviceName: 'checkout' });
   * const sdk = new NodeSDK({
   *   metricReaders: [
   *     new PeriodicExportingMetricReader({
   *       exporter: new OTLPMetricExporter(),
   *       metricProducers: [telemetry.metricProducer()],
   *     }),
   *   ],
   * });
   * sdk.start();
   * ```
   */
  metricProducer(options?: CoreMetricProducerOptions): MetricProducer;
  readonly logger: Logger;
  /** The Prometheus pull reader; mount it elsewhere with `createMetricsHandler(telemetry.prometheus)`. */
  readonly prometheus: PrometheusReader;
  /** The embedded sample store, when enabled. */
  readonly store: SampleStore | undefined;
  /**
   * Base URL of the telemetry server (`http://127.0.0.1:9464`), when it runs: not in a `node:cluster` worker,
   * which reports to its primary, nor in a worker thread, which reports to its main thread (`cluster.mode`);
   * nor does either run the store, alerting or OTLP.
   */
  readonly url: string | undefined;
  /** In-process alerting, when rule files are configured. */
  readonly alerting: RunningAlerting | undefined;
  /** The telemetry server, to mount more endpoints on; undefined when disabled. */
  readonly server: TelemetryServer | undefined;
  /** A meter of the provider (same as `meterProvider.getMeter`). */
  meter(name: string, version?: string): Meter;
  /**
   * The HTTP server kit on this provider (`http.server.request.duration`, `http.server.active_requests`):
   * `wrap(listener)` for `node:http`, `middleware` for express/connect, `fastifyPlugin`. Records nothing when
   * `metrics.requests` is off.
   */
  httpServerMetrics(options?: HttpServerMetricsOptions): HttpServerMetrics;
  /**
   * The HTTP client kit on this provider (`http.client.request.duration` of `fetch`/undici and `node:http`
   * requests, `server.address` by configured id). Observes nothing when `metrics.requests` is off. Stopped
   * by `shutdown()`.
   */
  trackHttpClientRequests(options: HttpClientMetricsOptions): HttpClientMetrics;
  /**
   * The pool kit on this provider (`pool.items`, `pool.wait_time`, ...), with yardstick's logger; a no-op
   * pool when `metrics.pools` is off. Closed by `shutdown()`.
   */
  trackPool(options: TrackPoolOptions): TrackedPool;
  /**
   * The dependency-health kit on this provider (`dependency.up`, `dependency.check.duration`), with
   * yardstick's logger; a no-op when yardstick is disabled. Stopped by `shutdown()`.
   */
  trackDependency(options: TrackDependencyOptions): TrackedDependency;
  /**
   * A summary: quantiles over a sliding window (`maxAgeSeconds`, `ageBuckets`), as prom-client's `Summary`.
   * A yardstick extension, not an OTel instrument: it appears on `/metrics` (every format) only, not in OTLP,
   * the embedded store or a `node:cluster` primary's aggregate. The series limit and attribute rules of
   * `cardinality` apply. Recorded on the meter `options.meter` (default the service name, else `yardstick`).
   */
  summary(name: string, options?: SummaryOptions & { readonly meter?: string }): Summary;
  /**
   * Shows a dashboard on the web UI's Dashboards page, beside those built in: a `DashboardConfig` as
   * `yardstick dashboard` reads it (load files with `@yardstick/exporter-cli`'s `loadDashboardConfig` for
   * file:line errors). One with the same `uid` (else title) is replaced.
   * @throws YardstickError `CONFIG_INVALID` naming the field at fault, or past 100 dashboards
   */
  addDashboard(dashboard: UiDashboardConfig): void;
  /** Exports pending OTLP data and refreshes the store now. */
  forceFlush(): Promise<void>;
  /** Flushes OTLP, closes the server, stops the readers. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Starts yardstick. With no arguments it reads `yardstick.config.*`, `OTEL_*` and `YARDSTICK_*`, serves
 * `/metrics` on 127.0.0.1:9464 and keeps recent samples in an embedded PromQL store.
 * In a `node:cluster` worker or a worker thread it reports to the primary or the main thread instead (see
 * {@link connectTelemetry}).
 *
 * @throws ConfigError (`CONFIG_INVALID`, `CONFIG_FILE`) listing every problem; YardstickError
 *   (`SERVER_START`) when the server cannot listen.
 * @example
 * ```ts
 * import { startTelemetry } from '@yardstick/sdk';
 * const telemetry = await startTelemetry({ serviceName: 'checkout' });
 * const orders = telemetry.meter('checkout').createCounter('orders.placed', { unit: '{order}' });
 * orders.add(1, { 'payment.method': 'card' });
 * process.on('SIGTERM', () => telemetry.shutdown());
 * ```
 */
export async function startTelemetry(options: StartTelemetryOptions = {}): Promise<Telemetry> {
  return startPipeline(options, false);
}

/**
 * Connects a worker thread to the telemetry pipeline of its main thread (which called
 * {@link startTelemetry}): instruments of the returned {@link Telemetry} record into a core of the thread's
 * own, whose totals are reported to the main thread every `cluster.reportIntervalMs` (as the main thread
 * says), on `shutdown()` and when the thread runs out of work; they appear in the main thread's `/metrics`
 * and exports. Opens no port, store, alerting or OTLP. In a worker thread `startTelemetry()` does the same
 * (unless `cluster.mode` is `off`). Without a pipeline in the main thread (or in the main thread itself) it
 * warns once and records locally only. Options are read as by `startTelemetry`.
 *
 * @example
 * ```ts
 * // worker.ts, started with `new Worker('./worker.ts')` by a main thread that called startTelemetry()
 * import { connectTelemetry } from '@yardstick/sdk';
 * const telemetry = await connectTelemetry();
 * telemetry.meter('resizer').createCounter('images.resized').add(1);
 * await telemetry.shutdown();
 * ```
 */
export async function connectTelemetry(options: StartTelemetryOptions = {}): Promise<Telemetry> {
  return startPipeline(options, true);
}

const DIAG_LEVELS = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'VERBOSE', 'ALL'];

/**
 * `OTEL_LOG_LEVEL`: which OpenTelemetry diagnostics reach the logger, parsed by `@opentelemetry/core`'s
 * `diagLogLevelFromString`. Unset, WARN (the spec's INFO would log every exporter's start-up chatter); an
 * unknown value is warned about, as the spec says, and WARN applies.
 */
function diagLevel(env: Readonly<Record<string, string | undefined>>, warnings: string[]): DiagLogLevel {
  const text = env.OTEL_LOG_LEVEL?.trim();
  if (text === undefined || text === '') return DiagLogLevel.WARN;
  if (!DIAG_LEVELS.includes(text.toUpperCase())) {
    warnings.push(
      `OTEL_LOG_LEVEL: unknown level ${JSON.stringify(text)} (expected one of ${DIAG_LEVELS.join(', ')}); ignored, the default applies`,
    );
    return DiagLogLevel.WARN;
  }
  return diagLogLevelFromString(text) ?? DiagLogLevel.WARN;
}

/** How long after start a `/v1/stats` request first collects; after it the store holds a full window. */
const WARM_UP_MS = 5 * 60_000;
/** Collections that `/v1/stats` requests start are at least this far apart. */
const WARM_UP_COLLECTION_MS = 1_000;

/**
 * While the store is young, `/v1/stats` collects before it answers (at most once a second): with only the
 * interval's collections, the first 15-30 s would have fewer than the two samples a rate needs.
 */
async function warmUpCollection(reader: StoreReader | undefined, startedAt: number): Promise<void> {
  if (reader === undefined || Date.now() - startedAt > WARM_UP_MS) return;
  const last = reader.lastCollectionMs;
  if (last === undefined || Date.now() - last >= WARM_UP_COLLECTION_MS) await reader.scrape();
}

async function startPipeline(options: StartTelemetryOptions, connect: boolean): Promise<Telemetry> {
  const { logger: customLogger, env, cwd, configFile, ...code } = options;
  const configWarnings: string[] = [];
  const config = loadConfig({
    code,
    env: env ?? process.env,
    cwd: cwd ?? process.cwd(),
    file: configFile,
    onWarning: (message) => configWarnings.push(message),
  });
  const logger = customLogger ?? createDefaultLogger();
  routeDiagTo(logger, diagLevel(env ?? process.env, configWarnings));
  for (const warning of configWarnings) logger.warn({ component: 'config' }, warning);

  // A cluster worker reports to its primary, a worker thread to its main thread: that one alone serves,
  // stores, alerts and exports.
  const clusterRole = clusterRoleOf(config, connect);
  const reports = clusterRole === 'worker' || clusterRole === 'thread';
  const serves = config.enabled && !reports;
  const prometheus = new PrometheusReader();
  const readers: MetricReader[] = [prometheus];
  let store: SampleStore | undefined;
  let storeReader: StoreReader | undefined;
  /** `host:port` of the telemetry server once it listens: the `instance` a scrape of it would give. */
  let serverHost: string | undefined;
  let exemplars: ExemplarStore | undefined;
  let persistence: StorePersistence | undefined;
  const storeSinks: CollectionSink[] = [];
  if (serves && config.store.enabled) {
    store = new SampleStore({ retentionMs: config.store.retentionMs, maxBytes: config.store.maxBytes });
    exemplars = new ExemplarStore();
    const { path, retentionMs, maxBytes } = config.store;
    if (path !== undefined) persistence = startPersistence({ path, retentionMs, maxBytes }, store, logger);
    if (persistence !== undefined) storeSinks.push(persistence);
    // A scrape labels the target with its address; the generated service.instance.id is new at every
    // start, and as `instance` it would split every stored series and the state of alerts at each restart.
    const configuredInstance = config.resourceAttributes['service.instance.id'];
    storeReader = new StoreReader({
      store,
      intervalMs: config.collectIntervalMs,
      logger,
      instance: configuredInstance === undefined ? () => serverHost ?? hostname() : undefined,
      exemplars,
      sinks: storeSinks,
    });
    readers.push(storeReader);
  }
  if (serves && config.otlp.enabled) {
    const { histogramAggregation, ...otlp } = config.otlp;
    readers.push(
      createOtlpReader({
        ...otlp,
        url: config.otlp.endpoint,
        histogramAggregation:
          histogramAggregation === undefined
            ? config.metrics.histogramAggregation
            : histogramAggregation === 'base2_exponential_bucket_histogram'
              ? 'exponential'
              : 'explicit',
      }),
    );
  }

  if (serves && config.console.enabled) readers.push(createConsoleReader(config.console));

  const startedAt = Date.now();
  const policies = createCorePolicies(
    {
      ...config.cardinality,
      redaction: config.redaction,
      pathTemplating: config.pathTemplating.enabled ? config.pathTemplating : false,
    },
    { logger },
  );
  const coreMeterProvider = new CoreMeterProvider({
    attributePolicy: (instrument) => policies.attributePolicy(instrument),
    cardinalityLimit: (instrument) => policies.cardinalityLimit(instrument),
    idleEvictionMs: policies.idleEvictionMs,
    histogramAggregation: config.metrics.histogramAggregation,
    exemplarFilter: config.metrics.exemplarFilter,
    onFirstOverflow: (instrument, limit, forEachSeries) =>
      policies.onFirstOverflow(instrument, limit, forEachSeries),
    warn: (message) => logger.warn({ component: 'metrics-core' }, message),
  });
  const resource = await createResource({
    serviceName: config.serviceName,
    serviceVersion: config.serviceVersion,
    attributes: config.resourceAttributes,
    cwd,
  });
  const cluster = await startClusterPipeline(
    clusterRole,
    coreMeterProvider,
    resource,
    config,
    logger,
    // Limits are set by instrument name alone; the aggregate knows its metrics by name.
    (name) => policies.cardinalityLimit({ name, kind: '', meterName: '' }),
  );
  const connected = cluster.connectReaders(config.enabled ? readers : []);
  const extraReaders: ConnectedReaders[] = [];
  prometheus.addSummarySource(coreMeterProvider);
  const meterProvider = config.histogramBuckets
    ? withDefaultHistogramBuckets(coreMeterProvider, config.histogramBuckets)
    : coreMeterProvider;
  policies.bindSelfMetrics(meterProvider.getMeter('@yardstick/views'), () => coreMeterProvider.stats());
  // Fed by the store reader's sinks, so it sends exactly what the embedded store holds.
  const remoteWrite =
    store !== undefined && config.remoteWrite.length > 0
      ? startRemoteWrite({
          endpoints: config.remoteWrite,
          resource,
          meter: meterProvider.getMeter('@yardstick/sdk/remote-write'),
          logger,
          collectIntervalMs: config.collectIntervalMs,
          database: persistence?.database.db,
        })
      : undefined;
  if (remoteWrite !== undefined) storeSinks.push(...remoteWrite.sinks);
  // Process metrics are the process's: its main thread reports them, a worker thread would add them twice.
  const processMetrics = config.enabled && config.metrics.process && clusterRole !== 'thread';
  const { naming } = config.metrics.runtime;
  const onRuntimeError = (error: unknown) =>
    logger.warn({ err: error }, 'runtime metrics: a reading failed; later failures are not logged');
  const runtime = startRuntimeMetrics(meterProvider.getMeter('@yardstick/sdk/runtime'), {
    enabled: processMetrics && naming !== 'prom-client',
    onError: onRuntimeError,
  });
  const promClientRuntime =
    processMetrics && naming !== 'otel'
      ? startPromClientRuntimeMetrics(meterProvider.getMeter('@yardstick/sdk/runtime-prom-client'), {
          onError: onRuntimeError,
        })
      : undefined;

  let server: TelemetryServer | undefined;
  const uiDashboards = createUiDashboards();
  let queryApi: QueryApi | undefined;
  if (serves && config.server.enabled) {
    try {
      server = await startTelemetryServer(prometheus, { ...config.server, logger });
    } catch (error) {
      await cluster.shutdown();
      await connected.shutdown().catch(() => undefined);
      throw error;
    }
    serverHost = new URL(server.url).host;
    const exposure = queryApiExposure(config);
    if (exposure.warning !== undefined) logger.warn({ host: config.server.host }, exposure.warning);
    if (store && exposure.serve) {
      const { api: _api, ...limits } = config.query;
      const reader = storeReader;
      queryApi = createQueryApi({
        store,
        exemplars,
        limits,
        metadata: () => reader?.metadata() ?? new Map(),
        alerting: () => alerting?.evaluator,
        retention: formatDurationMs(config.store.retentionMs),
        config,
        refresh: () => warmUpCollection(reader, startedAt),
      });
      server.mount('/api/v1/*', { methods: ['GET', 'POST'], handler: queryApi });
      server.mount('/v1/stats', { methods: ['GET'], handler: queryApi.stats });
      // The UI reads everything through /api/v1, so it is served exactly when that is.
      const webUi = createWebUiHandler({
        onMissing: (message) => logger.warn({}, message),
        dashboards: uiDashboards.json,
      });
      mountWebUi(server, webUi, [config.server.metricsPath]);
    }
    logger.info({ url: server.url }, 'yardstick telemetry server listening');
  }
  let alerting: RunningAlerting | undefined;
  if (config.enabled && store) {
    try {
      alerting = await startAlerting(config.alerting, store, {
        logger,
        meter: meterProvider.getMeter('@yardstick/alert-evaluator'),
        externalUrl: server?.url,
      });
    } catch (error) {
      await server?.close();
      await cluster.shutdown();
      await connected.shutdown().catch(() => undefined);
      throw error;
    }
  }
  const registeredGlobal = config.registerGlobal && metrics.setGlobalMeterProvider(meterProvider);

  const pools: TrackedPool[] = [];
  const dependencies: TrackedDependency[] = [];
  const httpClients: HttpClientMetrics[] = [];
  let shuttingDown: Promise<void> | undefined;
  let warnedWorkerSummary = false;
  return {
    config,
    meterProvider,
    coreMeterProvider,
    addMetricReader(reader) {
      extraReaders.push(cluster.connectReaders([reader]));
    },
    metricProducer: (producerOptions) => cluster.metricProducer(producerOptions),
    logger,
    prometheus,
    store,
    server,
    alerting,
    url: server?.url,
    meter: (name, version) => meterProvider.getMeter(name, version),
    addDashboard: (dashboard) => uiDashboards.add(dashboard),
    httpServerMetrics(httpOptions = {}) {
      const enabled = config.enabled && config.metrics.requests && httpOptions.enabled !== false;
      return createHttpServerMetrics(meterProvider.getMeter('@yardstick/sdk/http-server'), {
        onError: (error) => logger.warn({ err: error }, 'http server metrics: recording failed'),
        ...httpOptions,
        enabled,
      });
    },
    trackHttpClientRequests(clientOptions) {
      const enabled = config.enabled && config.metrics.requests && clientOptions.enabled !== false;
      const clients = trackHttpClientRequests(meterProvider.getMeter('@yardstick/sdk/http-client'), {
        ...clientOptions,
        enabled,
      });
      httpClients.push(clients);
      return clients;
    },
    trackPool(poolOptions) {
      const enabled = config.enabled && config.metrics.pools && poolOptions.enabled !== false;
      const pool = trackPool(meterProvider.getMeter('@yardstick/sdk/pools'), {
        logger,
        ...poolOptions,
        enabled,
      });
      pools.push(pool);
      return pool;
    },
    summary(name, { meter, ...summaryOptions } = {}) {
      // A worker's summaries stay in the worker: quantiles of separate windows cannot be added up.
      if (reports && !warnedWorkerSummary) {
        warnedWorkerSummary = true;
        logger.warn({ metric: name }, 'summaries are not reported to the cluster primary; use a histogram');
      }
      return createSummary(
        coreMeterProvider.getMeter(meter ?? config.serviceName ?? 'yardstick'),
        name,
        summaryOptions,
      );
    },
    trackDependency(dependencyOptions) {
      const enabled = config.enabled && dependencyOptions.enabled !== false;
      const dependency = trackDependency(meterProvider.getMeter('@yardstick/sdk/health'), {
        logger,
        ...dependencyOptions,
        enabled,
      });
      dependencies.push(dependency);
      return dependency;
    },
    forceFlush: async () => {
      await Promise.all([connected.forceFlush(), ...extraReaders.map((r) => r.forceFlush())]);
    },
    shutdown() {
      shuttingDown ??= (async () => {
        await alerting?.stop();
        runtime.stop();
        promClientRuntime?.stop();
        for (const pool of pools) pool.close();
        for (const dependency of dependencies) dependency.stop();
        for (const clients of httpClients) clients.stop();
        // A worker's final report, with everything recorded until now.
        await cluster.shutdown();
        await server?.close();
        await queryApi?.close();
        await Promise.all([connected.shutdown(), ...extraReaders.map((r) => r.shutdown())]).catch(
          (error: unknown) => logger.warn({ err: error }, 'metric readers shutdown failed'),
        );
        // After the readers: their final collection is persisted and queued first.
        await remoteWrite?.stop();
        persistence?.close();
        if (registeredGlobal) metrics.disable();
      })();
      return shuttingDown;
    },
  };
}
