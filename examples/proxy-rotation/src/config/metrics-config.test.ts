import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, startTelemetry } from '@yardstick/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMetricsConfig, parseMetricsConfig } from './load-metrics-config.ts';
import { metricsConfigSchema } from './metrics-config.ts';
import { ProxyWhirlConfigError } from './proxywhirl-config-error.ts';
import { toYardstickConfig } from './to-yardstick-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct-horse-battery';

function errorOf(text: string, apiPort?: number): ProxyWhirlConfigError {
  try {
    parseMetricsConfig(text, '.proxywhirl.toml', apiPort === undefined ? {} : { apiPort });
  } catch (error) {
    if (error instanceof ProxyWhirlConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('MetricsConfig', () => {
  it("has the spec's defaults when the [metrics] table is absent", () => {
    expect(parseMetricsConfig('[proxies]\nstrategy = "round-robin"\n', 'x.toml')).toEqual({
      enabled: true,
      exposition_host: '0.0.0.0',
      exposition_port: 9090,
      exposition_path: '/metrics',
      scrape_interval_seconds: 60,
      enable_process_metrics: true,
      enable_pool_metrics: true,
      enable_request_metrics: true,
      histogram_buckets: [0.1, 0.5, 1, 2, 5, 10],
      label_cardinality_limit: 1000,
    });
  });

  it('reads every field from the [metrics] table of a file', () => {
    const file = join(dir, '.proxywhirl.toml');
    writeFileSync(
      file,
      `# ProxyWhirl
[metrics]
enabled = true
exposition_host = "metrics.internal"
exposition_port = 9191
exposition_path = "/internal/metrics"
scrape_interval_seconds = 15
enable_process_metrics = false
enable_pool_metrics = true
enable_request_metrics = false
histogram_buckets = [0.05, 0.25, 1.0]
label_cardinality_limit = 500
basic_auth_username = "prometheus"
basic_auth_password = "${PASSWORD}"
`,
    );
    const config = loadMetricsConfig(file);
    expect(config).toMatchObject({
      exposition_host: 'metrics.internal',
      exposition_port: 9191,
      exposition_path: '/internal/metrics',
      scrape_interval_seconds: 15,
      enable_process_metrics: false,
      enable_request_metrics: false,
      histogram_buckets: [0.05, 0.25, 1],
      label_cardinality_limit: 500,
      basic_auth_username: 'prometheus',
    });
    expect(config.basic_auth_password?.reveal()).toBe(PASSWORD);
  });

  it.each([
    ['exposition_port = 80', 'metrics.exposition_port: must be 1024-65535'],
    ['exposition_port = 70000', 'metrics.exposition_port: must be 1024-65535'],
    ['exposition_port = 8000', 'metrics.exposition_port: must not be the API port (8000)'],
    ['exposition_path = "metrics"', "metrics.exposition_path: must start with '/'"],
    ['scrape_interval_seconds = 0', 'metrics.scrape_interval_seconds: must be 1-3600'],
    ['scrape_interval_seconds = 3601', 'metrics.scrape_interval_seconds: must be 1-3600'],
    ['histogram_buckets = [1.0]', 'metrics.histogram_buckets: needs at least 2 bucket boundaries'],
    ['histogram_buckets = [0.1, 1.0, 1.0]', 'metrics.histogram_buckets[2]: must be strictly ascending'],
    ['label_cardinality_limit = 99', 'metrics.label_cardinality_limit: must be 100-10000'],
    ['label_cardinality_limit = 10001', 'metrics.label_cardinality_limit: must be 100-10000'],
    ['exposition_host = "not a host!"', 'metrics.exposition_host: must be a valid IP address or host name'],
    [
      'basic_auth_username = "ab"\nbasic_auth_password = "longenough"',
      'metrics.basic_auth_username: must be at least 3',
    ],
    [
      'basic_auth_username = "prometheus"',
      'metrics.basic_auth_password: is required when basic_auth_username is set',
    ],
    ['exposition_prot = 9100', 'metrics.exposition_prot: Unrecognized key'],
    ['enabled = "yes"', 'metrics.enabled: Invalid input'],
  ])('refuses `%s` naming the file, the line and the field', (line, expected) => {
    const error = errorOf(`# ProxyWhirl\n\n[metrics]\n${line}\n`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`.proxywhirl.toml:4: ${expected}`);
    expect(error.stack).toBeDefined();
  });

  it('checks the port against the API port the service gives', () => {
    expect(errorOf('[metrics]\nexposition_port = 9300\n', 9300).message).toContain(
      'must not be the API port (9300)',
    );
    expect(
      parseMetricsConfig('[metrics]\nexposition_port = 8000\n', 'x', { apiPort: 8080 }).exposition_port,
    ).toBe(8000);
  });

  it('reports a TOML syntax error with the line smol-toml gives', () => {
    const error = errorOf('[metrics]\nexposition_port = 9100\nenabled = tru\n');
    expect(error.code).toBe('CONFIG_FILE');
    expect(error.message).toMatch(/^\.proxywhirl\.toml:3: .+\(column \d+\)$/);
  });

  it('reports a missing or oversized file by name, without a stack in the message', () => {
    expect(() => loadMetricsConfig(join(dir, 'missing.toml'))).toThrow(
      /missing\.toml: cannot be read \(ENOENT\)/,
    );
    const big = join(dir, 'big.toml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(() => loadMetricsConfig(big)).toThrow(/big\.toml: is \d+ bytes, more than the 1048576/);
  });

  it('never shows the password: not in JSON, inspect, string conversion, errors or the logged yardstick config', () => {
    const config = metricsConfigSchema().parse({
      basic_auth_username: 'prometheus',
      basic_auth_password: PASSWORD,
    });
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
    expect(inspect(config, { depth: 5 })).not.toContain(PASSWORD);
    expect(`${config.basic_auth_password}`).not.toContain(PASSWORD);
    const tooShort = errorOf(
      '[metrics]\nbasic_auth_username = "prometheus"\nbasic_auth_password = "short"\n',
    );
    expect(tooShort.message).toContain('.proxywhirl.toml:3: metrics.basic_auth_password: must be at least 8');
    expect(tooShort.message).not.toContain('short"');
    expect(JSON.stringify(tooShort.problems)).not.toContain('"short"');
  });

  it('maps onto a yardstick config that yardstick accepts, with basic auth on /metrics', async () => {
    const config = metricsConfigSchema().parse({
      exposition_host: '127.0.0.1',
      exposition_port: 40_000 + Math.floor(Math.random() * 20_000),
      exposition_path: '/pw-metrics',
      scrape_interval_seconds: 5,
      enable_process_metrics: false,
      histogram_buckets: [0.2, 0.4],
      label_cardinality_limit: 250,
      basic_auth_username: 'prometheus',
      basic_auth_password: PASSWORD,
    });
    const resolved = loadConfig({ env: {}, file: false, code: toYardstickConfig(config) });
    expect(resolved.server).toMatchObject({
      host: '127.0.0.1',
      port: config.exposition_port,
      metricsPath: '/pw-metrics',
    });
    expect(resolved.collectIntervalMs).toBe(5_000);
    expect(resolved.histogramBuckets).toEqual([0.2, 0.4]);
    expect(resolved.metrics).toMatchObject({ process: false, pools: true, requests: true });
    expect(resolved.cardinality.defaultLimit).toBe(250);
    const lines: string[] = [];
    const logger = {
      debug: (o: object, m?: string) => lines.push(JSON.stringify(o) + String(m)),
      info: (o: object, m?: string) => lines.push(JSON.stringify(o) + String(m)),
      warn: (o: object, m?: string) => lines.push(JSON.stringify(o) + String(m)),
      error: (o: object, m?: string) => lines.push(JSON.stringify(o) + String(m)),
    };
    const mapped = toYardstickConfig(config);
    const telemetry = await startTelemetry({
      ...mapped,
      // any free port: a random fixed one can be taken by a test running beside this one
      server: { ...mapped.server, port: 0 },
      env: {},
      configFile: false,
      registerGlobal: false,
      logger,
      store: { enabled: false },
    });
    try {
      const url = `${telemetry.url}/pw-metrics`;
      expect((await fetch(url)).status).toBe(401);
      const auth = `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}`;
      const ok = await fetch(url, { headers: { authorization: auth } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).not.toMatch(/^process_cpu/m);
    } finally {
      await telemetry.shutdown();
    }
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });
});
