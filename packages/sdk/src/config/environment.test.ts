import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { ENV_BINDINGS } from './environment.ts';
import { loadConfig } from './load-config.ts';

/** Loads with only `env` (no file), so each test sees exactly what the variables do. */
function fromEnv(env: Record<string, string>) {
  return loadConfig({ env, file: false, onWarning: () => undefined });
}

/** The config and the warnings about ignored `OTEL_*` variables. */
function withWarnings(env: Record<string, string>) {
  const warnings: string[] = [];
  const config = loadConfig({ env, file: false, onWarning: (message) => warnings.push(message) });
  return { config, warnings };
}

function problemLines(env: Record<string, string>): string[] {
  try {
    fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n').slice(1);
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('standard OTel environment variables', () => {
  it('maps service name, Prometheus host/port, export interval and timeout', () => {
    const config = fromEnv({
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTEL_METRIC_EXPORT_INTERVAL: '10000',
      OTEL_METRIC_EXPORT_TIMEOUT: '5000',
    });
    expect(config.serviceName).toBe('checkout');
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 0 });
    expect(config.otlp).toMatchObject({ exportIntervalMs: 10_000, exportTimeoutMs: 5000 });
  });

  it('percent-decodes OTEL_RESOURCE_ATTRIBUTES', () => {
    const config = fromEnv({
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=pay%2Cments,note=a%3Db%20c',
    });
    expect(config.resourceAttributes).toEqual({
      'deployment.environment': 'prod',
      team: 'pay,ments',
      note: 'a=b c',
    });
  });

  it('ignores a malformed OTEL_RESOURCE_ATTRIBUTES as a whole with a warning naming the variable', () => {
    const { config, warnings } = withWarnings({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,b' });
    expect(warnings).toEqual([
      "OTEL_RESOURCE_ATTRIBUTES: entry 2 has no '=' (expected key=value); ignored, the default applies",
    ]);
    expect(config.resourceAttributes).toEqual({});
  });

  it('appends v1/metrics to OTEL_EXPORTER_OTLP_ENDPOINT and turns OTLP on', () => {
    expect(fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlp).toMatchObject({
      enabled: true,
      endpoint: 'http://collector:4318/v1/metrics',
    });
    expect(fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }).otlp.endpoint).toBe(
      'http://collector:4318/base/v1/metrics',
    );
  });

  it('uses OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as is, over the generic endpoint', () => {
    const config = fromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics.example/ingest',
    });
    expect(config.otlp.endpoint).toBe('https://metrics.example/ingest');
  });

  it('merges generic and metrics headers, the metrics value winning, percent-decoded', () => {
    const config = fromEnv({
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=shop,authorization=Bearer%20generic',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'authorization=Bearer%20metrics',
    });
    expect(config.otlp.headers).toEqual({ 'x-tenant': 'shop', authorization: 'Bearer metrics' });
  });

  it('lets metrics-specific protocol, compression and timeout win over the generic ones', () => {
    const config = fromEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '20000',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '15000',
    });
    expect(config.otlp).toMatchObject({
      protocol: 'http/protobuf',
      compression: 'gzip',
      exportTimeoutMs: 15_000,
    });
    expect(
      fromEnv({ OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '15000', OTEL_METRIC_EXPORT_TIMEOUT: '7000' }).otlp,
    ).toMatchObject({ exportTimeoutMs: 7000 });
  });

  it('reads the temporality preference case-insensitively', () => {
    expect(fromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta' }).otlp.temporality).toBe(
      'delta',
    );
  });

  it('reads OTEL_METRICS_EXEMPLAR_FILTER case-insensitively and names it when the value is not a filter', () => {
    expect(fromEnv({ OTEL_METRICS_EXEMPLAR_FILTER: 'ALWAYS_ON' }).metrics.exemplarFilter).toBe('always_on');
    expect(fromEnv({}).metrics.exemplarFilter).toBe('trace_based');
    const { config, warnings } = withWarnings({ OTEL_METRICS_EXEMPLAR_FILTER: 'sometimes' });
    expect(warnings).toEqual([
      'OTEL_METRICS_EXEMPLAR_FILTER: metrics.exemplarFilter: Invalid option: expected one of "trace_based"|"always_on"|"always_off"; ignored, the default applies',
    ]);
    expect(config.metrics.exemplarFilter).toBe('trace_based');
  });

  it('takes grpc and LowMemory, and warns about an endpoint that is not a URL, keeping the default', () => {
    const { config, warnings } = withWarnings({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
    });
    expect(config.otlp).toMatchObject({
      protocol: 'grpc',
      temporality: 'lowmemory',
      endpoint: 'http://localhost:4317',
      enabled: false,
    });
    expect(warnings).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint: must be an http:// or https:// URL; ignored, the default applies',
    ]);
  });

  it('disables the SDK only for OTEL_SDK_DISABLED=true (any case) and warns about other words', () => {
    expect(fromEnv({ OTEL_SDK_DISABLED: 'TRUE' }).enabled).toBe(false);
    expect(
      loadConfig({ env: { OTEL_SDK_DISABLED: 'false' }, file: false, code: { enabled: false } }).enabled,
    ).toBe(false);
    expect(fromEnv({ OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
    // the spec: only "true" disables; anything else is false, with a warning unless it is "false"
    const { config, warnings } = withWarnings({ OTEL_SDK_DISABLED: '1' });
    expect(config.enabled).toBe(true);
    expect(warnings).toEqual([
      'OTEL_SDK_DISABLED: expected true or false, got "1"; ignored, the default applies',
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(fromEnv({ OTEL_EXPORTER_PROMETHEUS_PORT: '', OTEL_SERVICE_NAME: '  ' }).server.port).toBe(9464);
  });
});

describe('YARDSTICK_ environment variables', () => {
  it('map onto the settings the standard variables do not cover', () => {
    const config = fromEnv({
      YARDSTICK_SERVICE_VERSION: '1.4.2',
      YARDSTICK_SERVER_ENABLED: 'false',
      YARDSTICK_METRICS_PATH: '/internal/metrics',
      YARDSTICK_GZIP: 'False',
      YARDSTICK_AUTH_USERNAME: 'scraper',
      YARDSTICK_AUTH_PASSWORD: 'correct horse',
      YARDSTICK_ALLOWED_CIDRS: '10.0.0.0/8, fd00::/8',
      YARDSTICK_COLLECT_INTERVAL: '30s',
      YARDSTICK_HISTOGRAM_BUCKETS: '0.005,0.01,0.1,1,1e1',
      YARDSTICK_METRICS_PROCESS: 'false',
      YARDSTICK_METRICS_REQUESTS: 'true',
      YARDSTICK_METRICS_POOLS: 'false',
      YARDSTICK_RUNTIME_NAMING: 'Prom-Client',
      YARDSTICK_CARDINALITY_LIMIT: '500',
      YARDSTICK_IDLE_EVICTION: '10m',
      YARDSTICK_REDACTION_ENABLED: 'false',
      YARDSTICK_REDACTION_REPLACEMENT: '***',
      YARDSTICK_REDACTION_DROP_KEYS: 'user.email,client.address',
      YARDSTICK_OTLP_ENABLED: 'true',
      YARDSTICK_STORE_ENABLED: 'false',
      YARDSTICK_STORE_RETENTION: '2h',
      YARDSTICK_STORE_MAX_BYTES: '1048576',
      YARDSTICK_QUERY_API: 'false',
      YARDSTICK_HISTOGRAM_AGGREGATION: 'Exponential',
      YARDSTICK_QUERY_TIMEOUT: '30s',
      YARDSTICK_QUERY_MAX_SAMPLES: '1000000',
      YARDSTICK_QUERY_MAX_CONCURRENT: '4',
      YARDSTICK_CLUSTER_MODE: 'Off',
      YARDSTICK_CLUSTER_REPORT_INTERVAL: '250ms',
      YARDSTICK_CLUSTER_GAUGES: 'queue.depth=max, pool.*=worker',
      YARDSTICK_REGISTER_GLOBAL: 'false',
    });
    expect(config).toMatchObject({
      serviceVersion: '1.4.2',
      server: {
        enabled: false,
        metricsPath: '/internal/metrics',
        gzip: false,
        auth: { username: 'scraper', password: 'correct horse' },
        allowedCidrs: ['10.0.0.0/8', 'fd00::/8'],
      },
      collectIntervalMs: 30_000,
      histogramBuckets: [0.005, 0.01, 0.1, 1, 10],
      metrics: {
        process: false,
        runtime: { naming: 'prom-client' },
        requests: true,
        pools: false,
        histogramAggregation: 'exponential',
      },
      cardinality: { defaultLimit: 500, idleEvictionMs: 600_000 },
      redaction: { enabled: false, replacement: '***', dropKeys: ['user.email', 'client.address'] },
      otlp: { enabled: true },
      store: { enabled: false, retentionMs: 7_200_000, maxBytes: 1_048_576 },
      query: { api: false, timeoutMs: 30_000, maxSamples: 1_000_000, maxConcurrent: 4 },
      cluster: { mode: 'off', reportIntervalMs: 250, gauges: { 'queue.depth': 'max', 'pool.*': 'worker' } },
      registerGlobal: false,
    });
  });

  it('YARDSTICK_STORE_PATH persists the store and YARDSTICK_REMOTE_WRITE_URL adds one endpoint', () => {
    const config = fromEnv({
      YARDSTICK_STORE_PATH: '/var/lib/app/metrics',
      YARDSTICK_REMOTE_WRITE_URL: 'http://victoria:8428/api/v1/write',
    });
    expect(config.store.path).toBe('/var/lib/app/metrics');
    expect(config.remoteWrite.map((endpoint) => endpoint.url)).toEqual(['http://victoria:8428/api/v1/write']);
  });

  it('reads TLS file paths relative to the working directory', () => {
    const lines = problemLines({
      YARDSTICK_TLS_CERT_FILE: 'missing.crt',
      YARDSTICK_TLS_KEY_FILE: '/nonexistent/k',
    });
    expect(lines).toEqual([
      `server.tls.certFile: cannot read ${process.cwd()}/missing.crt: no such file (ENOENT) (from environment variable YARDSTICK_TLS_CERT_FILE)`,
      'server.tls.keyFile: cannot read /nonexistent/k: no such file (ENOENT) (from environment variable YARDSTICK_TLS_KEY_FILE)',
    ]);
  });
});

describe('malformed environment values', () => {
  it('lists every malformed variable by name, alongside schema problems', () => {
    expect(
      problemLines({
        YARDSTICK_GZIP: 'on',
        YARDSTICK_HISTOGRAM_BUCKETS: '0.1,fast,1',
        YARDSTICK_CARDINALITY_LIMIT: '-5',
        YARDSTICK_STORE_RETENTION: '1 day',
      }),
    ).toEqual([
      'YARDSTICK_GZIP: expected true or false, got "on"',
      'YARDSTICK_HISTOGRAM_BUCKETS: entry 2 is not a number: "fast"',
      'YARDSTICK_CARDINALITY_LIMIT: expected a non-negative integer, got "-5"',
      "store.retentionMs: must be milliseconds or a Prometheus duration such as '15s', '1m30s' or '24h' (from environment variable YARDSTICK_STORE_RETENTION)",
    ]);
  });

  it('names the variable when a well-formed value breaks a rule', () => {
    expect(
      problemLines({
        YARDSTICK_CARDINALITY_LIMIT: '50000',
        YARDSTICK_HISTOGRAM_BUCKETS: '1,0.5',
        YARDSTICK_ALLOWED_CIDRS: '10.0.0.0/8,10.1.2.3/40',
      }),
    ).toEqual([
      'server.allowedCidrs[1]: "10.1.2.3/40" is not a CIDR: prefix must be an integer 0..32 (from environment variable YARDSTICK_ALLOWED_CIDRS)',
      'histogramBuckets[1]: buckets must be strictly ascending: 0.5 does not exceed 1 (from environment variable YARDSTICK_HISTOGRAM_BUCKETS)',
      'cardinality.defaultLimit: Too big: expected number to be <=10000 (from environment variable YARDSTICK_CARDINALITY_LIMIT)',
    ]);
  });

  it('refuses a duration a timer cannot hold, naming the variable and the allowed range', () => {
    // 2^31 ms and above would fire after 1 ms: an export every millisecond instead of never.
    expect(
      problemLines({
        YARDSTICK_COLLECT_INTERVAL: '2147483648',
        YARDSTICK_EVALUATION_INTERVAL: '30d',
      }),
    ).toEqual([
      'collectIntervalMs: must be between 10ms and 1d, got 2147483648 ms (from environment variable YARDSTICK_COLLECT_INTERVAL)',
      'alerting.evaluationIntervalMs: must be between 10ms and 1d, got "30d" (from environment variable YARDSTICK_EVALUATION_INTERVAL)',
    ]);
    const tooLong = withWarnings({ OTEL_METRIC_EXPORT_INTERVAL: '1000000000000000' });
    expect(tooLong.warnings).toEqual([
      'OTEL_METRIC_EXPORT_INTERVAL: otlp.exportIntervalMs: must be between 10ms and 1d, got 1000000000000000 ms; ignored, the default applies',
    ]);
    expect(tooLong.config.otlp.exportIntervalMs).toBe(60_000);
    expect(withWarnings({ OTEL_METRIC_EXPORT_INTERVAL: '1e15' }).warnings).toEqual([
      "OTEL_METRIC_EXPORT_INTERVAL: otlp.exportIntervalMs: must be milliseconds or a Prometheus duration such as '15s', '1m30s' or '24h'; ignored, the default applies",
    ]);
  });

  it('ignores a CR or LF in an OTLP header value, naming the variable and the header but not the value', () => {
    const injected = withWarnings({
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret-1%0D%0AX-Injected: 1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'authorization=Bearer secret-2\nX-Injected: 1',
    });
    expect(injected.warnings).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: header "x-api-key" has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1); ignored, the default applies',
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS: header "authorization" has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1); ignored, the default applies',
    ]);
    expect(injected.config.otlp.headers).toEqual({});
    expect(withWarnings({ OTEL_EXPORTER_OTLP_HEADERS: 'bad name=1' }).warnings).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS: header name "bad name" is not an HTTP token; ignored, the default applies',
    ]);
    expect(fromEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%09b' }).otlp.headers).toEqual({
      'x-api-key': 'a\tb',
    });
  });

  it('says which auth variable is missing when only one is set', () => {
    expect(problemLines({ YARDSTICK_AUTH_USERNAME: 'scraper' })).toEqual([
      'server.auth.password: is required when server.auth.username is set (set both or neither; env YARDSTICK_AUTH_PASSWORD) (from environment variable YARDSTICK_AUTH_USERNAME)',
    ]);
  });
});

describe('environment parsing properties', () => {
  it('reads back any strictly ascending list of finite buckets written with String() (property)', () => {
    const buckets = fc
      .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 2, maxLength: 20 })
      .map((values) => values.map((v) => (Object.is(v, -0) ? 0 : v)).sort((a, b) => a - b))
      .filter((values) => values.every((v, i) => i === 0 || v > values[i - 1]!));
    fc.assert(
      fc.property(buckets, (values) => {
        const config = fromEnv({ YARDSTICK_HISTOGRAM_BUCKETS: values.map(String).join(',') });
        expect(config.histogramBuckets).toEqual(values);
      }),
    );
  });

  it('either loads or throws ConfigError naming the variable, whatever text any variable holds (property)', () => {
    const variables = ENV_BINDINGS.map((binding) => binding.variable);
    fc.assert(
      fc.property(fc.constantFrom(...variables), fc.string({ maxLength: 40 }), (variable, text) => {
        try {
          const { warnings } = withWarnings({ [variable]: text });
          // an OTEL_* variable never stops the start; what it ignores is said, naming it
          for (const warning of warnings) expect(warning.startsWith(`${variable}: `)).toBe(true);
        } catch (error) {
          expect(variable.startsWith('OTEL_')).toBe(false);
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).message).toContain(variable);
        }
      }),
      { numRuns: 300 },
    );
  });
});
