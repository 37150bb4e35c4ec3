/**
 * The OTel SDK environment specification's metrics variables, one row each: a valid value and what it sets,
 * and a value the spec says to warn about and ignore (the start goes on with the default).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import type { YardstickConfig } from './schema.ts';

interface SpecRow {
  readonly variable: string;
  readonly valid: string;
  /** What the valid value sets. */
  readonly sets: (config: YardstickConfig) => unknown;
  readonly expected: unknown;
  /** A value to warn about and ignore; `sets` then gives the default. */
  readonly invalid: string;
  readonly defaultValue: unknown;
}

const ROWS: readonly SpecRow[] = [
  {
    variable: 'OTEL_SDK_DISABLED',
    valid: 'true',
    sets: (c) => c.enabled,
    expected: false,
    invalid: '1',
    defaultValue: true,
  },
  {
    variable: 'OTEL_SERVICE_NAME',
    valid: 'checkout',
    sets: (c) => c.serviceName,
    expected: 'checkout',
    invalid: '',
    defaultValue: undefined,
  },
  {
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    valid: 'deployment.environment=prod',
    sets: (c) => c.resourceAttributes,
    expected: { 'deployment.environment': 'prod' },
    invalid: 'a=1,b',
    defaultValue: {},
  },
  {
    variable: 'OTEL_METRICS_EXPORTER',
    valid: 'console,otlp',
    sets: (c) => [c.otlp.enabled, c.console.enabled],
    expected: [true, true],
    invalid: 'bogus',
    defaultValue: [false, false],
  },
  {
    variable: 'OTEL_METRIC_EXPORT_INTERVAL',
    valid: '5000',
    sets: (c) => [c.otlp.exportIntervalMs, c.console.exportIntervalMs],
    expected: [5000, 5000],
    invalid: 'soon',
    defaultValue: [60_000, 60_000],
  },
  {
    variable: 'OTEL_METRIC_EXPORT_TIMEOUT',
    valid: '7000',
    sets: (c) => c.otlp.exportTimeoutMs,
    expected: 7000,
    invalid: '-1',
    defaultValue: 30_000,
  },
  {
    variable: 'OTEL_METRICS_EXEMPLAR_FILTER',
    valid: 'always_off',
    sets: (c) => c.metrics.exemplarFilter,
    expected: 'always_off',
    invalid: 'sometimes',
    defaultValue: 'trace_based',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    valid: 'http://collector:4318',
    sets: (c) => c.otlp.endpoint,
    expected: 'http://collector:4318/v1/metrics',
    invalid: 'collector:4318',
    defaultValue: 'http://localhost:4318/v1/metrics',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    valid: 'https://collector/ingest',
    sets: (c) => c.otlp.endpoint,
    expected: 'https://collector/ingest',
    invalid: 'ftp://collector',
    defaultValue: 'http://localhost:4318/v1/metrics',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_HEADERS',
    valid: 'x-tenant=shop',
    sets: (c) => c.otlp.headers,
    expected: { 'x-tenant': 'shop' },
    invalid: 'x-tenant',
    defaultValue: {},
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
    valid: 'x-tenant=shop',
    sets: (c) => c.otlp.headers,
    expected: { 'x-tenant': 'shop' },
    invalid: 'x=%zz',
    defaultValue: {},
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    valid: 'grpc',
    sets: (c) => c.otlp.protocol,
    expected: 'grpc',
    invalid: 'quic',
    defaultValue: 'http/protobuf',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    valid: 'http/json',
    sets: (c) => c.otlp.protocol,
    expected: 'http/json',
    invalid: 'http/xml',
    defaultValue: 'http/protobuf',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    valid: 'gzip',
    sets: (c) => c.otlp.compression,
    expected: 'gzip',
    invalid: 'zstd',
    defaultValue: 'none',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
    valid: 'GZIP',
    sets: (c) => c.otlp.compression,
    expected: 'gzip',
    invalid: 'br',
    defaultValue: 'none',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    valid: '2000',
    sets: (c) => c.otlp.exportTimeoutMs,
    expected: 2000,
    invalid: 'later',
    defaultValue: 30_000,
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
    valid: '3000',
    sets: (c) => c.otlp.exportTimeoutMs,
    expected: 3000,
    invalid: '1e99',
    defaultValue: 30_000,
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
    valid: 'LowMemory',
    sets: (c) => c.otlp.temporality,
    expected: 'lowmemory',
    invalid: 'sometimes',
    defaultValue: 'cumulative',
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
    valid: 'base2_exponential_bucket_histogram',
    sets: (c) => c.otlp.histogramAggregation,
    expected: 'base2_exponential_bucket_histogram',
    invalid: 'linear',
    defaultValue: undefined,
  },
  {
    variable: 'OTEL_EXPORTER_PROMETHEUS_HOST',
    valid: '0.0.0.0',
    sets: (c) => c.server.host,
    expected: '0.0.0.0',
    invalid: '',
    defaultValue: '127.0.0.1',
  },
  {
    variable: 'OTEL_EXPORTER_PROMETHEUS_PORT',
    valid: '9100',
    sets: (c) => c.server.port,
    expected: 9100,
    invalid: '70000',
    defaultValue: 9464,
  },
];

function load(env: Record<string, string>) {
  const warnings: string[] = [];
  const config = loadConfig({ env, file: false, onWarning: (message) => warnings.push(message) });
  return { config, warnings };
}

describe('the OTel SDK environment specification, metrics variables', () => {
  it.each(ROWS)('$variable: a valid value is used without a warning', (row) => {
    const { config, warnings } = load({ [row.variable]: row.valid });
    expect(row.sets(config)).toEqual(row.expected);
    expect(warnings).toEqual([]);
  });

  it.each(ROWS.filter((row) => row.invalid !== ''))(
    '$variable: an unusable value is warned about by name and the default applies',
    (row) => {
      const { config, warnings } = load({ [row.variable]: row.invalid });
      expect(row.sets(config)).toEqual(row.defaultValue);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^${row.variable}: .+; ignored, the default applies$`));
    },
  );

  it('OTEL_METRICS_EXPORTER=none turns OTLP off even with an endpoint, and wins over the other entries', () => {
    const none = load({
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(none.config.otlp.enabled).toBe(false);
    expect(none.warnings).toEqual([]);
    const mixed = load({ OTEL_METRICS_EXPORTER: 'otlp,none,console' });
    expect([mixed.config.otlp.enabled, mixed.config.console.enabled]).toEqual([false, false]);
    expect(mixed.warnings).toEqual([
      'OTEL_METRICS_EXPORTER: "none" is listed, so the other exporters are off',
    ]);
  });

  it('OTEL_METRICS_EXPORTER keeps the known entries of a list with an unknown one, and prometheus pushes nothing', () => {
    const partly = load({ OTEL_METRICS_EXPORTER: 'bogus, OTLP' });
    expect(partly.config.otlp.enabled).toBe(true);
    expect(partly.warnings).toEqual([
      'OTEL_METRICS_EXPORTER: unknown exporter "bogus" ignored (known: otlp, prometheus, console, none)',
    ]);
    const pull = load({
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect([pull.config.otlp.enabled, pull.config.console.enabled, pull.config.server.enabled]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('code and YARDSTICK_* settings stay strict beside lenient OTEL_* ones', () => {
    expect(() =>
      loadConfig({
        env: { OTEL_EXPORTER_PROMETHEUS_PORT: 'abc', YARDSTICK_GZIP: 'on' },
        file: false,
        onWarning: () => undefined,
      }),
    ).toThrow(/YARDSTICK_GZIP: expected true or false, got "on"/);
  });
});
