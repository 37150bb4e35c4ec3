import { describe, expect, it } from 'vitest';
import { DEFAULT_OTLP_METRICS_ENDPOINT, type YardstickConfigInput, yardstickConfigSchema } from './schema.ts';

/** The problems of `input` as `path: message` lines, as a user reads them. */
function problems(input: unknown): string[] {
  const result = yardstickConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('yardstickConfigSchema defaults', () => {
  it('fills every default from an empty object', () => {
    const config = yardstickConfigSchema.parse({});
    expect(config).toEqual({
      enabled: true,
      resourceAttributes: {},
      server: { enabled: true, host: '127.0.0.1', port: 9464, metricsPath: '/metrics', gzip: true },
      collectIntervalMs: 15_000,
      metrics: {
        process: true,
        runtime: { naming: 'otel' },
        requests: true,
        pools: true,
        histogramAggregation: 'explicit',
        exemplarFilter: 'trace_based',
      },
      cardinality: { defaultLimit: 2000 },
      redaction: { enabled: true, onMatch: 'replace' },
      pathTemplating: { enabled: true },
      otlp: {
        enabled: false,
        endpoint: DEFAULT_OTLP_METRICS_ENDPOINT,
        headers: {},
        protocol: 'http/protobuf',
        temporality: 'cumulative',
        compression: 'none',
        exportIntervalMs: 60_000,
        exportTimeoutMs: 30_000,
      },
      console: { enabled: false, exportIntervalMs: 60_000 },
      store: { enabled: true, retentionMs: 24 * 3_600_000, maxBytes: 64 * 1024 * 1024 },
      query: {
        timeoutMs: 10_000,
        maxSamples: 5_000_000,
        maxConcurrent: 2,
        maxResponseBytes: 64 * 1024 * 1024,
        workerHeapBytes: 256 * 1024 * 1024,
      },
      alerting: {
        ruleFiles: [],
        evaluationIntervalMs: 15_000,
        channels: [],
        externalLabels: {},
        watch: true,
      },
      cluster: { mode: 'aggregate', reportIntervalMs: 1_000, gauges: {} },
      remoteWrite: [],
      registerGlobal: true,
    });
  });

  it('keeps defaults of sibling fields when one nested field is given', () => {
    const config = yardstickConfigSchema.parse({ server: { port: 0 } });
    expect(config.server).toMatchObject({ port: 0, host: '127.0.0.1', metricsPath: '/metrics' });
  });

  it('turns OTLP on when an endpoint is configured, and lets an explicit false win', () => {
    const endpoint = 'https://collector.example:4318/v1/metrics';
    expect(yardstickConfigSchema.parse({ otlp: { endpoint } }).otlp).toMatchObject({
      enabled: true,
      endpoint,
    });
    expect(yardstickConfigSchema.parse({ otlp: { endpoint, enabled: false } }).otlp.enabled).toBe(false);
    expect(yardstickConfigSchema.parse({ otlp: { enabled: true } }).otlp.endpoint).toBe(
      DEFAULT_OTLP_METRICS_ENDPOINT,
    );
  });

  it('lowers the default export timeout to a shorter interval', () => {
    const config = yardstickConfigSchema.parse({ otlp: { exportIntervalMs: '10s' } });
    expect(config.otlp).toMatchObject({ exportIntervalMs: 10_000, exportTimeoutMs: 10_000 });
  });

  it('accepts durations as milliseconds or Prometheus strings and returns milliseconds', () => {
    const input: YardstickConfigInput = {
      collectIntervalMs: '1m30s',
      store: { retentionMs: '7d' },
      cardinality: { idleEvictionMs: 600_000 },
    };
    const config = yardstickConfigSchema.parse(input);
    expect(config.collectIntervalMs).toBe(90_000);
    expect(config.store.retentionMs).toBe(7 * 86_400_000);
    expect(config.cardinality.idleEvictionMs).toBe(600_000);
  });

  it('returns auth and TLS only when both halves are given', () => {
    const config = yardstickConfigSchema.parse({
      server: {
        auth: { username: 'scraper', password: 'long-enough' },
        tls: { certFile: 'c', keyFile: 'k' },
      },
    });
    expect(config.server.auth).toEqual({ username: 'scraper', password: 'long-enough' });
    expect(config.server.tls).toEqual({ certFile: 'c', keyFile: 'k' });
    expect(yardstickConfigSchema.parse({ server: { auth: {} } }).server.auth).toBeUndefined();
  });
});

describe('yardstickConfigSchema rules', () => {
  it('names unknown keys at any depth', () => {
    expect(problems({ sever: {} })).toEqual([': Unrecognized key: "sever"']);
    expect(problems({ server: { prot: 1 } })).toEqual(['server: Unrecognized key: "prot"']);
  });

  it('requires both auth fields or neither, naming the missing one', () => {
    expect(problems({ server: { auth: { username: 'scraper' } } })).toEqual([
      'server.auth.password: is required when server.auth.username is set (set both or neither; env YARDSTICK_AUTH_PASSWORD)',
    ]);
    expect(problems({ server: { auth: { password: 'long-enough' } } })).toEqual([
      'server.auth.username: is required when server.auth.password is set (set both or neither; env YARDSTICK_AUTH_USERNAME)',
    ]);
  });

  it('requires a username of 3+ and a password of 8+ characters', () => {
    expect(problems({ server: { auth: { username: 'ab', password: 'short' } } })).toEqual([
      'server.auth.username: Too small: expected string to have >=3 characters',
      'server.auth.password: Too small: expected string to have >=8 characters',
    ]);
  });

  it('requires both TLS files or neither', () => {
    expect(problems({ server: { tls: { certFile: 'cert.pem' } } })).toEqual([
      'server.tls.keyFile: is required when server.tls.certFile is set (env YARDSTICK_TLS_KEY_FILE)',
    ]);
  });

  it('accepts IPv4 and IPv6 CIDRs and single addresses, and names what is wrong with anything else', () => {
    expect(
      problems({
        server: { allowedCidrs: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1/128', '::ffff:10.0.0.0/104'] },
      }),
    ).toEqual([]);
    expect(
      problems({ server: { allowedCidrs: ['10.0.0.0/33', 'localhost', '10.0.0.0/8/8', '10.0.0.0/8'] } }),
    ).toEqual([
      'server.allowedCidrs.0: "10.0.0.0/33" is not a CIDR: prefix must be an integer 0..32',
      'server.allowedCidrs.1: "localhost" is not a CIDR: "localhost" is not an IP address',
      'server.allowedCidrs.2: "10.0.0.0/8/8" is not a CIDR (more than one "/")',
    ]);
  });

  it('bounds the port to 0..65535 and requires the metrics path to start with a slash', () => {
    expect(problems({ server: { port: 65_536, metricsPath: 'metrics' } })).toEqual([
      'server.port: Too big: expected number to be <=65535',
      "server.metricsPath: must start with '/' and contain no spaces",
    ]);
  });

  it('requires histogram buckets to be finite, at least two and strictly ascending', () => {
    expect(problems({ histogramBuckets: [0.1, 0.5, 0.5, 0.2] })).toEqual([
      'histogramBuckets.2: buckets must be strictly ascending: 0.5 does not exceed 0.5',
      'histogramBuckets.3: buckets must be strictly ascending: 0.2 does not exceed 0.5',
    ]);
    expect(problems({ histogramBuckets: [1] })).toEqual([
      'histogramBuckets: Too small: expected array to have >=2 items',
    ]);
    expect(problems({ histogramBuckets: [1, Number.POSITIVE_INFINITY] })).toEqual([
      'histogramBuckets.1: Invalid input: expected number, received Infinity',
    ]);
  });

  it('bounds the cluster report interval to 100 ms..1 min and names the allowed gauge policies', () => {
    expect(problems({ cluster: { reportIntervalMs: 50, gauges: { 'queue.*': 'avg' } } })).toEqual([
      'cluster.reportIntervalMs: must be between 100ms and 1m, got 50 ms',
      'cluster.gauges.queue.*: Invalid option: expected one of "sum"|"min"|"max"|"last"|"worker"',
    ]);
    expect(
      problems({ cluster: { mode: 'aggregate', reportIntervalMs: '1m', gauges: { '*': 'last' } } }),
    ).toEqual([]);
  });

  it('keeps series limits within 100..10000', () => {
    expect(problems({ cardinality: { defaultLimit: 99, limits: { 'http.*': 10_001, db: 500 } } })).toEqual([
      'cardinality.defaultLimit: Too small: expected number to be >=100',
      'cardinality.limits.http.*: Too big: expected number to be <=10000',
    ]);
  });

  it('checks attribute budgets and rejects a duplicate instrument/key pair', () => {
    expect(
      problems({
        cardinality: {
          attributeBudgets: [
            { instrument: 'http.server.request.duration', key: 'url.path', maxValues: 0 },
            { instrument: 'db.*', key: 'db.statement', maxValues: 50, otherValue: 'other' },
            { instrument: 'db.*', key: 'db.statement', maxValues: 10 },
          ],
        },
      }),
    ).toEqual([
      'cardinality.attributeBudgets.0.maxValues: Too small: expected number to be >=1',
      'cardinality.attributeBudgets.2: duplicate budget for instrument "db.*" and key "db.statement"',
    ]);
  });

  it('rejects malformed, zero and oversized durations', () => {
    expect(
      problems({
        collectIntervalMs: '15 seconds',
        store: { retentionMs: 0 },
        otlp: { exportIntervalMs: '0s' },
      }),
    ).toEqual([
      "collectIntervalMs: must be milliseconds or a Prometheus duration such as '15s', '1m30s' or '24h'",
      'otlp.exportIntervalMs: must be between 10ms and 1d, got "0s"',
      'store.retentionMs: must be between 1s and 1y, got 0 ms',
    ]);
    expect(problems({ collectIntervalMs: '999999999999y' })).toEqual([
      'collectIntervalMs: must be between 10ms and 1d, got "999999999999y"',
    ]);
  });

  it('bounds every duration that becomes a timer below what setTimeout can hold', () => {
    // Node runs a delay above 2^31-1 ms after 1 ms: an unbounded interval would become a tight loop.
    const tooLong = 2 ** 31;
    expect(
      problems({
        collectIntervalMs: tooLong,
        otlp: { exportIntervalMs: 1e15, exportTimeoutMs: '25h' },
        alerting: { evaluationIntervalMs: '2d' },
      }),
    ).toEqual([
      'collectIntervalMs: must be between 10ms and 1d, got 2147483648 ms',
      'otlp.exportIntervalMs: must be between 10ms and 1d, got 1000000000000000 ms',
      'otlp.exportTimeoutMs: must be between 10ms and 1d, got "25h"',
      'alerting.evaluationIntervalMs: must be between 10ms and 1d, got "2d"',
    ]);
    expect(problems({ collectIntervalMs: 5, otlp: { exportIntervalMs: '1ms' } })).toEqual([
      'collectIntervalMs: must be between 10ms and 1d, got 5 ms',
      'otlp.exportIntervalMs: must be between 10ms and 1d, got "1ms"',
    ]);
    const edges = yardstickConfigSchema.parse({
      collectIntervalMs: 10,
      otlp: { exportIntervalMs: '24h', exportTimeoutMs: '1d' },
      store: { retentionMs: '1y' },
      cardinality: { idleEvictionMs: '1s' },
    });
    expect(edges.collectIntervalMs).toBe(10);
    expect(edges.otlp).toMatchObject({ exportIntervalMs: 86_400_000, exportTimeoutMs: 86_400_000 });
    expect(edges.store.retentionMs).toBe(365 * 86_400_000);
    expect(edges.cardinality.idleEvictionMs).toBe(1_000);
  });

  it('bounds retention and idle eviction to between a second and a year', () => {
    expect(problems({ store: { retentionMs: '2y' }, cardinality: { idleEvictionMs: 999 } })).toEqual([
      'cardinality.idleEvictionMs: must be between 1s and 1y, got 999 ms',
      'store.retentionMs: must be between 1s and 1y, got "2y"',
    ]);
  });

  it('rejects an export timeout longer than the export interval', () => {
    expect(problems({ otlp: { exportIntervalMs: '5s', exportTimeoutMs: '10s' } })).toEqual([
      'otlp.exportTimeoutMs: must not exceed otlp.exportIntervalMs (5000 ms)',
    ]);
  });

  it('accepts only http(s) OTLP endpoints and the supported enums', () => {
    expect(
      problems({ otlp: { endpoint: 'grpc://collector:4317', protocol: 'quic', temporality: 'sometimes' } }),
    ).toEqual([
      'otlp.endpoint: must be an http:// or https:// URL',
      'otlp.protocol: Invalid option: expected one of "http/protobuf"|"http/json"|"grpc"',
      'otlp.temporality: Invalid option: expected one of "cumulative"|"delta"|"lowmemory"',
    ]);
    expect(yardstickConfigSchema.parse({ otlp: { protocol: 'grpc' } }).otlp.endpoint).toBe(
      'http://localhost:4317',
    );
  });

  it('lists every problem at once rather than stopping at the first', () => {
    expect(
      problems({
        enabled: 'yes',
        server: { port: -1, gzip: 1 },
        metrics: { process: 'no' },
        store: { maxBytes: 0 },
      }),
    ).toHaveLength(5);
  });
});

describe('store.path and remoteWrite', () => {
  it('fills an endpoint with its defaults and keeps store.path as given', () => {
    const config = yardstickConfigSchema.parse({
      store: { path: '/var/lib/app/metrics' },
      remoteWrite: [{ url: 'http://prometheus:9090/api/v1/write', bearerToken: 'token' }],
    });
    expect(config.store.path).toBe('/var/lib/app/metrics');
    expect(config.remoteWrite[0]).toMatchObject({
      url: 'http://prometheus:9090/api/v1/write',
      timeoutMs: 30_000,
      queue: { maxSamplesPerSend: 2_000, maxConnections: 2, minBackoffMs: 100, maxBackoffMs: 5_000 },
    });
  });

  it('refuses remote write without the store, a header it sets itself, and two kinds of credentials', () => {
    const issues = (input: unknown) =>
      yardstickConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ store: { enabled: false }, remoteWrite: [{ url: 'http://a/api/v1/write' }] })).toEqual([
      "remoteWrite: remote write sends the embedded store's samples: set store.enabled to true",
    ]);
    expect(
      issues({ remoteWrite: [{ url: 'http://a/api/v1/write', headers: { 'Content-Encoding': 'gzip' } }] }),
    ).toEqual(['remoteWrite.0.headers.Content-Encoding: is set by remote write itself']);
    expect(
      issues({
        remoteWrite: [{ url: 'http://a/w', bearerToken: 't', basicAuth: { username: 'u', password: 'p' } }],
      }),
    ).toEqual(['remoteWrite.0: basicAuth and bearerToken both set: choose one']);
  });
});
