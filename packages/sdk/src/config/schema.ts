import { z } from 'zod';
import { DEFAULT_QUERY_LIMITS } from '../query-api/query-limits.ts';
import { remoteWriteSchema } from '../remote-write/remote-write-schema.ts';
import { parseCidr } from '../server/cidr.ts';
import { alertingSchema } from './alerting-schema.ts';
import { clusterSchema } from './cluster-schema.ts';
import { AGE_DURATION_BOUNDS, durationSchema as duration } from './duration-schema.ts';
import { headerProblem } from './http-header.ts';

/** The endpoint OTLP/HTTP exporters use when none is configured (OTel specification default). */
export const DEFAULT_OTLP_METRICS_ENDPOINT = 'http://localhost:4318/v1/metrics';
/** The OTel spec's default OTLP/gRPC endpoint (the collector's gRPC port; gRPC has no signal path). */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';

const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;

/** A per-metric series limit, as the OTel cardinality-limit spec allows us to bound it. */
function seriesLimit(description: string) {
  return z.number().int().min(100).max(10_000).describe(description);
}

// The server's own parser decides, so config never accepts a range the allow-list would then refuse.
const cidr = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .describe('An IPv4 or IPv6 network in CIDR notation (10.0.0.0/8, fd00::/8); a bare address is one host.');

const authSchema = z
  .strictObject({
    username: z
      .string()
      .min(3)
      .optional()
      .describe('Basic-auth user name for the telemetry server (>= 3 chars).'),
    password: z
      .string()
      .min(8)
      .optional()
      .describe('Basic-auth password for the telemetry server (>= 8 chars). Never logged.'),
  })
  .superRefine((auth, ctx) => {
    // Each half often comes from a different place (file vs env), so say which one is missing and how to set it.
    if (auth.username !== undefined && auth.password === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message:
          'is required when server.auth.username is set (set both or neither; env YARDSTICK_AUTH_PASSWORD)',
      });
    }
    if (auth.password !== undefined && auth.username === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message:
          'is required when server.auth.password is set (set both or neither; env YARDSTICK_AUTH_USERNAME)',
      });
    }
  })
  .transform((auth) =>
    auth.username !== undefined && auth.password !== undefined
      ? { username: auth.username, password: auth.password }
      : undefined,
  )
  .describe('HTTP basic auth on every endpoint of the telemetry server: give both fields or neither.');

const tlsSchema = z
  .strictObject({
    certFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM certificate (chain) file; must load, with keyFile, when the config is loaded. Reloaded without a restart when either file changes or on SIGHUP.',
      ),
    keyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Unencrypted PEM private key of certFile; must exist and match it when the config is loaded.',
      ),
  })
  .superRefine((tls, ctx) => {
    if (tls.certFile !== undefined && tls.keyFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyFile'],
        message: 'is required when server.tls.certFile is set (env YARDSTICK_TLS_KEY_FILE)',
      });
    }
    if (tls.keyFile !== undefined && tls.certFile === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['certFile'],
        message: 'is required when server.tls.keyFile is set (env YARDSTICK_TLS_CERT_FILE)',
      });
    }
  })
  .transform((tls) =>
    tls.certFile !== undefined && tls.keyFile !== undefined
      ? { certFile: tls.certFile, keyFile: tls.keyFile }
      : undefined,
  )
  .describe('Serve HTTPS with this certificate and key: give both fields or neither.');

const serverSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Start the telemetry HTTP server.'),
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on; loopback by default.'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(9464)
      .describe('Port to listen on; 0 picks a free one.'),
    metricsPath: z
      .string()
      .regex(/^\/\S*$/, { error: "must start with '/' and contain no spaces" })
      .default('/metrics')
      .describe('Path of the Prometheus exposition endpoint.'),
    gzip: z.boolean().default(true).describe('Compress responses when the client accepts gzip.'),
    auth: authSchema.optional(),
    tls: tlsSchema.optional(),
    allowedCidrs: z
      .array(cidr)
      .optional()
      .describe('Only clients from these networks may connect; everyone may when unset.'),
  })
  .prefault({})
  .describe('The telemetry HTTP server: /metrics, /v1/stats, /api/v1/*, /healthz.');

const bucketsSchema = z
  .array(z.number())
  .min(2)
  .superRefine((buckets, ctx) => {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `buckets must be strictly ascending: ${buckets[i]} does not exceed ${buckets[i - 1]}`,
        });
      }
    }
  })
  .describe('Default explicit histogram bucket boundaries: finite, strictly ascending, at least 2.');

const metricsSchema = z
  .strictObject({
    process: z
      .boolean()
      .default(true)
      .describe('Record process and runtime metrics (CPU, memory, event loop).'),
    runtime: z
      .strictObject({
        naming: z
          .enum(['otel', 'prom-client', 'both'])
          .default('otel')
          .describe(
            "Names of the process and runtime metrics: OTel semantic conventions (`process.cpu.time`, `v8js.memory.heap.used`, ...), prom-client 15's default metrics (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ... with its labels and units, for dashboards built on prom-client), or both.",
          ),
      })
      .prefault({})
      .describe('Process and runtime metrics (metrics.process turns them on).'),
    requests: z.boolean().default(true).describe('Record HTTP server request metrics from the middleware.'),
    pools: z.boolean().default(true).describe('Record worker/connection pool metrics from the pool kit.'),
    histogramAggregation: z
      .enum(['explicit', 'exponential'])
      .default('explicit')
      .describe(
        'Aggregation of histograms no view configures, for every reader: explicit buckets, or base-2 exponential (native histograms; classic buckets at their boundaries in text formats).',
      ),
    exemplarFilter: z
      .enum(['trace_based', 'always_on', 'always_off'])
      .default('trace_based')
      .describe(
        "Which measurements may become exemplars (the OTel spec's OTEL_METRICS_EXEMPLAR_FILTER): trace_based (made in a sampled span), always_on, or always_off. Exemplars are exposed in OpenMetrics.",
      ),
  })
  .prefault({})
  .describe('Built-in instrumentation kits to turn on.');

const attributeBudgetSchema = z
  .strictObject({
    instrument: z.string().min(1).describe('Instrument name or pattern (`*` matches any run of characters).'),
    key: z.string().min(1).describe('Attribute key whose distinct values are budgeted.'),
    maxValues: z.number().int().min(1).describe('Distinct values kept before new ones become `otherValue`.'),
    otherValue: z
      .string()
      .optional()
      .describe("Value that replaces values over budget; default '__other__'."),
  })
  .describe('A budget of distinct values for one attribute of an instrument.');

const cardinalitySchema = z
  .strictObject({
    defaultLimit: seriesLimit(
      'Series per metric before new series go to the overflow series (100..10000).',
    ).default(2000),
    limits: z
      .record(
        z.string().min(1),
        seriesLimit('Series limit for the instruments this pattern matches (100..10000).'),
      )
      .optional()
      .describe('Per-instrument series limits, keyed by instrument name or pattern.'),
    attributeBudgets: z
      .array(attributeBudgetSchema)
      .superRefine((budgets, ctx) => {
        const seen = new Set<string>();
        budgets.forEach((budget, index) => {
          const id = `${budget.instrument}\u0000${budget.key}`;
          if (seen.has(id)) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `duplicate budget for instrument ${JSON.stringify(budget.instrument)} and key ${JSON.stringify(budget.key)}`,
            });
          }
          seen.add(id);
        });
      })
      .optional()
      .describe('Per-attribute value budgets.'),
    idleEvictionMs: duration(
      'Forget series not updated for this long (delta bookkeeping); never when unset.',
      AGE_DURATION_BOUNDS,
    ).optional(),
    allow: z
      .record(z.string().min(1), z.array(z.string().min(1)))
      .optional()
      .describe('Keep only these attribute keys on the instruments each pattern matches.'),
    deny: z
      .record(z.string().min(1), z.array(z.string().min(1)))
      .optional()
      .describe('Drop these attribute keys from the instruments each pattern matches.'),
  })
  .prefault({})
  .describe('Bounds on the number of series.');

const redactionSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Redact secrets and IP addresses from attribute values.'),
    replacement: z.string().optional().describe("Text that replaces a redacted value; default '[REDACTED]'."),
    dropKeys: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Extra attribute keys (`*` patterns allowed) removed from every measurement, on top of the built-in list.',
      ),
    keys: z
      .array(z.string().min(1))
      .optional()
      .describe('Attribute keys whose values are scanned; default every string value.'),
    onMatch: z
      .enum(['replace', 'drop'])
      .default('replace')
      .describe('`replace` swaps a secret for the replacement text; `drop` removes the whole attribute.'),
  })
  .prefault({})
  .describe('Redaction of secrets from attributes.');

const pathTemplatingSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Template raw paths: /users/123 -> /users/:id.'),
    keys: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Attribute keys whose values are templated; default url.path, url.full, http.target, http.url.',
      ),
    placeholder: z.string().min(1).optional().describe("What replaces an id segment; default ':id'."),
  })
  .prefault({})
  .describe('Path templating of raw URL paths, for frameworks that give no route template.');

const otlpSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'Push metrics over OTLP/HTTP. Default: true when an endpoint is configured, false otherwise.',
      ),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe(`Full metrics URL, used as is; default ${DEFAULT_OTLP_METRICS_ENDPOINT}.`),
    headers: z
      .record(z.string().min(1), z.string())
      .superRefine((headers, ctx) => {
        for (const [name, value] of Object.entries(headers)) {
          const problem = headerProblem(name, value);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      })
      .default({})
      .describe('Headers sent with every export (e.g. API keys). Values are never logged.'),
    protocol: z
      .enum(['http/protobuf', 'http/json', 'grpc'])
      .default('http/protobuf')
      .describe(
        `OTLP transport: protobuf or JSON over HTTP, or gRPC (then the endpoint's path is ignored; default ${DEFAULT_OTLP_GRPC_ENDPOINT}).`,
      ),
    histogramAggregation: z
      .enum(['explicit_bucket_histogram', 'base2_exponential_bucket_histogram'])
      .optional()
      .describe(
        "Aggregation of histograms no view configures, for OTLP only (the OTel spec's OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION); default: metrics.histogramAggregation.",
      ),
    temporality: z
      .enum(['cumulative', 'delta', 'lowmemory'])
      .default('cumulative')
      .describe(
        "Aggregation temporality (the OTel spec's OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE): cumulative; delta (counters, histograms and observable counters delta); lowmemory (synchronous counters and histograms delta, everything else cumulative).",
      ),
    compression: z.enum(['gzip', 'none']).default('none').describe('Request body compression.'),
    exportIntervalMs: duration('Time between exports.').default(60_000),
    exportTimeoutMs: duration(
      `Time an export may take; at most exportIntervalMs. Default ${DEFAULT_EXPORT_TIMEOUT_MS} ms, lowered to exportIntervalMs when that is shorter.`,
    ).optional(),
  })
  .superRefine((otlp, ctx) => {
    // The OTel PeriodicExportingMetricReader refuses a timeout longer than the interval; say so at load time.
    if (otlp.exportTimeoutMs !== undefined && otlp.exportTimeoutMs > otlp.exportIntervalMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['exportTimeoutMs'],
        message: `must not exceed otlp.exportIntervalMs (${otlp.exportIntervalMs} ms)`,
      });
    }
  })
  .transform(({ enabled, endpoint, exportTimeoutMs, ...rest }) => ({
    ...rest,
    enabled: enabled ?? endpoint !== undefined,
    endpoint:
      endpoint ?? (rest.protocol === 'grpc' ? DEFAULT_OTLP_GRPC_ENDPOINT : DEFAULT_OTLP_METRICS_ENDPOINT),
    exportTimeoutMs: exportTimeoutMs ?? Math.min(DEFAULT_EXPORT_TIMEOUT_MS, rest.exportIntervalMs),
  }))
  .prefault({})
  .describe('OTLP push to a collector (HTTP or gRPC).');

const consoleSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Print every metric to stdout at each export, for development (the OTel spec's OTEL_METRICS_EXPORTER=console).",
      ),
    exportIntervalMs: duration('Time between prints.').default(60_000),
  })
  .prefault({})
  .describe('The console exporter: metrics printed to stdout.');

const storeSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Keep recent samples in the embedded PromQL store.'),
    retentionMs: duration('How long samples are kept.', AGE_DURATION_BOUNDS).default(24 * 3_600_000),
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024)
      .describe('Memory budget of the store in bytes; the oldest samples go first.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Directory of a node:sqlite file the store persists to (made 0700, files 0600); a restart restores the history. Unset: memory only. retentionMs and maxBytes apply on disk too.',
      ),
  })
  .prefault({})
  .describe('The embedded time-series store behind /api/v1 and alerting.');

const querySchema = z
  .strictObject({
    api: z
      .boolean()
      .optional()
      .describe(
        'Serve /api/v1 and /v1/stats. Default: on when the server listens on loopback or has basic auth, off otherwise (a warning says so).',
      ),
    timeoutMs: duration(
      'Longest a query may take, queue wait and serialization included; a client `timeout` can only lower it. 100 ms to 10 min.',
      { minMs: 100, maxMs: 600_000 },
    ).default(DEFAULT_QUERY_LIMITS.timeoutMs),
    maxSamples: z
      .number()
      .int()
      .positive()
      .max(1_000_000_000)
      .default(DEFAULT_QUERY_LIMITS.maxSamples)
      .describe(
        'Most samples one query may hold in memory at once, counted as Prometheus counts --query.max-samples.',
      ),
    maxConcurrent: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(DEFAULT_QUERY_LIMITS.maxConcurrent)
      .describe(
        'Queries evaluated at once, each on its own worker thread; more wait (up to timeoutMs), then 503.',
      ),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(DEFAULT_QUERY_LIMITS.maxResponseBytes)
      .describe('Largest JSON body one query may answer with; a larger result is a 422 execution error.'),
    workerHeapBytes: z
      .number()
      .int()
      .min(32 * 1024 * 1024)
      .max(16 * 1024 * 1024 * 1024)
      .default(DEFAULT_QUERY_LIMITS.workerHeapBytes)
      .describe('Heap limit of each query worker thread; a query that needs more fails with 422.'),
  })
  .prefault({})
  .describe('Limits of the Prometheus query API (/api/v1) over the embedded store.');

/**
 * The whole yardstick configuration, with defaults. Objects are strict: an unknown key is an error naming it.
 * Durations accept milliseconds or Prometheus duration strings and come out as milliseconds.
 * Use {@link loadConfig} to merge file, environment and code; this schema alone does not read files.
 */
export const yardstickConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Master switch; false makes startTelemetry a no-op.'),
    serviceName: z.string().min(1).optional().describe('The `service.name` resource attribute.'),
    serviceVersion: z.string().min(1).optional().describe('The `service.version` resource attribute.'),
    resourceAttributes: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe('Extra resource attributes; serviceName/serviceVersion win over the same keys here.'),
    server: serverSchema,
    collectIntervalMs: duration('Scrape interval of the embedded store.').default(15_000),
    histogramBuckets: bucketsSchema.optional(),
    metrics: metricsSchema,
    cardinality: cardinalitySchema,
    redaction: redactionSchema,
    pathTemplating: pathTemplatingSchema,
    otlp: otlpSchema,
    console: consoleSchema,
    store: storeSchema,
    remoteWrite: remoteWriteSchema,
    query: querySchema,
    alerting: alertingSchema,
    cluster: clusterSchema,
    registerGlobal: z.boolean().default(true).describe('Register the MeterProvider as the global OTel one.'),
  })
  .superRefine((config, ctx) => {
    if (config.alerting.ruleFiles.length > 0 && !config.store.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['alerting', 'ruleFiles'],
        message: 'in-process alerting evaluates against the embedded store: set store.enabled to true',
      });
    }
    if (config.remoteWrite.length > 0 && !config.store.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['remoteWrite'],
        message: "remote write sends the embedded store's samples: set store.enabled to true",
      });
    }
  })
  .describe('yardstick configuration (yardstick.config.yaml).');

/** A validated configuration with every default filled in and durations in milliseconds. */
export type YardstickConfig = z.output<typeof yardstickConfigSchema>;

/** What a user may write: every field with a default is optional, durations may be strings. */
export type YardstickConfigInput = z.input<typeof yardstickConfigSchema>;
