/**
 * SC-002 end to end (seed 000 T066–T069): an `AlertRule` over the spec's `proxywhirl_pool_proxies`, evaluated
 * in-process by the SDK, reaches a real Alertmanager 0.25 within 2 minutes of the breach (a proxy killed),
 * `proxywhirl_alerts_active` counts it, and the resolution follows when the proxy comes back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../../test/support/peers.ts';
import { type FakeProxy, startFakeProxy } from '../demo/fake-proxy.ts';
import { ProxyWhirlMetrics } from '../metrics/proxywhirl-metrics.ts';
import { ProxyPool } from '../pool/proxy-pool.ts';
import { validateAlertRules } from './alert-rule.ts';
import { writeThresholdRuleFile } from './alert-rule-file.ts';
import { countActiveAlerts } from './alert-state.ts';

const am = peer('alertmanager');
/** SC-002: "Alerts notify within 2 minutes of threshold breach". */
const SC_002_MS = 120_000;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe.skipIf(am.skipReason !== undefined)('ProxyWhirl alerts in a real Alertmanager', () => {
  const tmp = tempDir('proxywhirl-am-');
  let alertmanager: RunningPeer;
  let amUrl = '';
  let telemetry: Telemetry;
  let pool: ProxyPool;
  const proxies: FakeProxy[] = [];

  beforeAll(async () => {
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    const amConfig = join(tmp.dir, 'am.yml');
    writeFileSync(amConfig, 'route:\n  receiver: none\n  group_wait: 100ms\nreceivers:\n  - name: none\n');
    alertmanager = await startPeer(
      am.path!,
      [
        `--config.file=${amConfig}`,
        `--storage.path=${tmp.dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      `${amUrl}/-/ready`,
    );
    const rules = validateAlertRules(
      [
        {
          name: 'proxywhirl_pool_unhealthy_proxies',
          query: 'sum by (pool) (proxywhirl_pool_proxies{health_status="unhealthy"})',
          threshold: 0.5,
          comparison: 'greater_than',
          duration: '1s',
          severity: 'critical',
          summary: 'Pool {{ $labels.pool }} has unhealthy proxies',
          description: '{{ $value }} proxies of pool {{ $labels.pool }} failed their health checks',
          annotations: { runbook: 'https://wiki.example.com/runbooks/proxy-health' },
          notification_channels: ['oncall'],
        },
      ],
      { channels: ['oncall'] },
    );
    const ruleFile = join(tmp.dir, 'proxywhirl.rules.yml');
    writeThresholdRuleFile(rules, ruleFile, { interval: '1s' });
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      collectIntervalMs: 250,
      alerting: {
        ruleFiles: [ruleFile],
        watch: false,
        channels: [{ name: 'oncall', type: 'alertmanager', urls: [amUrl] }],
      },
    });
    const metrics = new ProxyWhirlMetrics(telemetry.meter('proxywhirl'), {
      activeAlerts: () => countActiveAlerts(telemetry.alerting?.evaluator.alerts() ?? []),
    });
    for (const name of ['res-1', 'res-2']) proxies.push(await startFakeProxy({ name }));
    pool = new ProxyPool({
      name: 'residential',
      region: 'eu-west',
      meter: telemetry.meter('proxy-rotation'),
      proxywhirl: metrics,
      health: { intervalMs: 150, timeoutMs: 500, unhealthyAfter: 2, healthyAfter: 2 },
      proxies: proxies.map((p) => ({ id: p.name, url: `http://127.0.0.1:${p.port}` })),
    });
  }, 60_000);

  afterAll(async () => {
    pool?.close();
    await Promise.all(proxies.map((p) => p.stop()));
    await telemetry?.shutdown();
    await alertmanager?.stop();
    tmp.cleanup();
  });

  const amAlerts = async (): Promise<AmAlert[]> =>
    (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as AmAlert[];

  it(
    'delivers the alert within 2 minutes of the breach, counted by proxywhirl_alerts_active',
    async () => {
      await proxies[1]!.stop();
      const alert = await waitFor(
        'the alert in Alertmanager',
        async () =>
          (await amAlerts()).find((a) => a.labels.alertname === 'proxywhirl_pool_unhealthy_proxies'),
        SC_002_MS,
      );
      expect(alert.labels).toMatchObject({
        alertname: 'proxywhirl_pool_unhealthy_proxies',
        pool: 'residential',
        severity: 'critical',
      });
      expect(alert.annotations).toMatchObject({
        summary: 'Pool residential has unhealthy proxies',
        description: '1 proxies of pool residential failed their health checks',
        runbook: 'https://wiki.example.com/runbooks/proxy-health',
      });
      const active = await waitFor(
        'proxywhirl_alerts_active 1',
        async () => {
          const body = await (await fetch(`${telemetry.url}/metrics`)).text();
          return /^proxywhirl_alerts_active(\{[^}]*\})? 1$/m.test(body) ? body : undefined;
        },
        10_000,
      );
      expect(active).toMatch(
        /^proxywhirl_pool_proxies\{health_status="unhealthy",pool="residential"[^}]*\} 1$/m,
      );
    },
    SC_002_MS + 15_000,
  );

  it(
    'resolves in Alertmanager when the proxy is healthy again',
    async () => {
      await proxies[1]!.start();
      await waitFor(
        'the resolution in Alertmanager',
        async () => {
          const alert = (await amAlerts()).find(
            (a) => a.labels.alertname === 'proxywhirl_pool_unhealthy_proxies',
          );
          return alert === undefined || Date.parse(alert.endsAt) <= Date.now() ? true : undefined;
        },
        SC_002_MS,
      );
      const body = await (await fetch(`${telemetry.url}/metrics`)).text();
      expect(body).toMatch(/^proxywhirl_alerts_active(\{[^}]*\})? 0$/m);
    },
    SC_002_MS + 15_000,
  );
});
