/**
 * The deployment files of DEPLOYMENT.md stay valid and in step with the spec's alert rules: the Compose
 * rule file and the Operator's PrometheusRule equal `yardstick rules convert` of rules/proxywhirl.alerts.yml,
 * promtool accepts the rules and the Prometheus config, amtool the Alertmanager config, and the scrape
 * settings agree with each other (port, path, 15 s).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { peer, tempDir } from '../../../test/support/peers.ts';
import { loadAlertRuleFile, writeThresholdRuleFile } from './alerts/alert-rule-file.ts';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = here('../../../');
const deploy = here('../deploy/');
const cli = ['--conditions=yardstick-source', join(repoRoot, 'packages/exporter-cli/src/main.ts')];
const promtool = peer('promtool');
// amtool ships in the prometheus-alertmanager package, beside the server binary.
const alertmanager = peer('alertmanager');
const amtoolPath = alertmanager.path === undefined ? undefined : join(dirname(alertmanager.path), 'amtool');
const amtool = {
  path: amtoolPath,
  skipReason:
    amtoolPath !== undefined && existsSync(amtoolPath)
      ? undefined
      : (alertmanager.skipReason ?? 'amtool missing'),
};
const readYaml = (file: string): unknown => parse(readFileSync(join(deploy, file), 'utf8'));

/** The Prometheus rules `yardstick rules convert` makes of the spec's AlertRules. */
async function convertedRules(): Promise<unknown> {
  const tmp = tempDir('proxywhirl-deploy-');
  try {
    const rules = loadAlertRuleFile(here('../rules/proxywhirl.alerts.yml'), { channels: ['oncall'] });
    const thresholds = join(tmp.dir, 'thresholds.yml');
    writeThresholdRuleFile(rules, thresholds);
    const out = join(tmp.dir, 'prometheus.yml');
    await run(
      process.execPath,
      [...cli, 'rules', 'convert', thresholds, '--channel', 'oncall', '--out', out],
      {
        timeout: 20_000,
      },
    );
    return parse(readFileSync(out, 'utf8'));
  } finally {
    tmp.cleanup();
  }
}

describe('the deployment files', () => {
  it('carry exactly the converted AlertRules, for Compose and as the PrometheusRule of the Operator', async () => {
    const expected = await convertedRules();
    expect(readYaml('docker-compose/proxywhirl-rules.yml')).toEqual(expected);
    const rule = readYaml('kubernetes/proxywhirl-rules.yaml') as { kind: string; spec: unknown };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec).toEqual(expected);
  }, 30_000);

  it('scrape the metrics port and path every 15 s in both setups', () => {
    const docs = parseAllDocuments(readFileSync(join(deploy, 'kubernetes/proxywhirl.yaml'), 'utf8')).map(
      (d) => d.toJS() as { kind: string; spec: Record<string, unknown> },
    );
    const monitor = docs.find((d) => d.kind === 'ServiceMonitor')!;
    expect(monitor.spec.endpoints).toMatchObject([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    const service = docs.find((d) => d.kind === 'Service')!;
    expect(service.spec.ports).toMatchObject([{ name: 'metrics', port: 9464 }]);
    const prometheus = readYaml('docker-compose/prometheus.yml') as {
      global: { scrape_interval: string };
      scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(prometheus.global.scrape_interval).toBe('15s');
    expect(prometheus.scrape_configs[0]).toMatchObject({
      metrics_path: '/metrics',
      static_configs: [{ targets: ['proxywhirl:9464'] }],
    });
    const compose = readYaml('docker-compose/docker-compose.yml') as {
      services: Record<string, { ports?: string[]; environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'grafana',
      'prometheus',
      'proxywhirl',
    ]);
    expect(compose.services.proxywhirl!.ports).toBeUndefined();
    expect(compose.services.proxywhirl!.environment!.OTEL_EXPORTER_PROMETHEUS_PORT).toBe('9464');
    for (const service of Object.values(compose.services)) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it.skipIf(promtool.skipReason !== undefined)('pass promtool check rules and check config', async () => {
    const rules = await run(promtool.path!, [
      'check',
      'rules',
      join(deploy, 'docker-compose/proxywhirl-rules.yml'),
    ]);
    expect(rules.stdout).toContain('SUCCESS: 3 rules found');
    const config = await run(promtool.path!, ['check', 'config', 'prometheus.yml'], {
      cwd: join(deploy, 'docker-compose'),
    });
    expect(config.stdout).toContain('SUCCESS');
  });

  it.skipIf(amtool.skipReason !== undefined)(
    'pass amtool check-config, the maintenance window muting the latency alert',
    async () => {
      const { stdout } = await run(amtool.path!, [
        'check-config',
        join(deploy, 'docker-compose/alertmanager.yml'),
      ]);
      expect(stdout).toContain('SUCCESS');
      const config = readYaml('docker-compose/alertmanager.yml') as {
        route: { routes: Array<{ matchers: string[]; mute_time_intervals: string[] }> };
      };
      expect(config.route.routes[0]).toMatchObject({
        matchers: ['alertname="proxy_p95_latency_high"'],
        mute_time_intervals: ['proxywhirl-maintenance'],
      });
    },
  );
});
