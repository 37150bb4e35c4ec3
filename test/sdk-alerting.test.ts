/**
 * In-process alerting through startTelemetry: a rule file over the embedded store, a breach recorded with
 * the OTel API, the alert delivered to a webhook with its scope labels and rendered annotations, then
 * resolved; and an invalid rule file rejected at start with file:line.
 */
import { statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const tmp = tempDir('yardstick-alerting-');
let telemetry: Telemetry | undefined;
let receiver: Server | undefined;

afterAll(async () => {
  await telemetry?.shutdown();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  tmp.cleanup();
});

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

describe('alerting through startTelemetry', () => {
  it('fires on a breach with the pool/region scope and rendered annotations, then resolves', async () => {
    const received: WebhookAlert[] = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const rules = join(tmp.dir, 'rules.yml');
    writeFileSync(
      rules,
      `groups:
  - name: proxy-pools
    interval: 1s
    rules:
      - alert: ProxyPoolUnhealthy
        expr: proxy_pool_healthy_ratio < 0.5
        for: 1s
        labels:
          severity: critical
        annotations:
          summary: 'Pool {{ $labels.pool }} in {{ $labels.region }} is {{ $value | humanizePercentage }} healthy'
`,
    );
    let healthy = 0.25;
    const started = Date.now();
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      collectIntervalMs: 200,
      alerting: { ruleFiles: [rules], channels: [{ name: 'oncall', type: 'webhook', url: webhook }] },
    });
    telemetry
      .meter('proxy-rotation')
      .createObservableGauge('proxy.pool.healthy', { unit: '1' })
      .addCallback((result) => result.observe(healthy, { pool: 'residential', region: 'eu-west' }));

    const firing = await waitFor('a firing alert', () => received.find((a) => a.status === 'firing'));
    const elapsedMs = Date.now() - started;
    expect(firing.labels).toMatchObject({
      alertname: 'ProxyPoolUnhealthy',
      pool: 'residential',
      region: 'eu-west',
      severity: 'critical',
    });
    expect(firing.annotations.summary).toBe('Pool residential in eu-west is 25% healthy');
    // for (1s) + an evaluation interval (1s) + collection, far under the 2-minute paging target
    expect(elapsedMs).toBeLessThan(10_000);
    expect(telemetry.alerting?.evaluator.alerts().some((a) => a.state === 'firing')).toBe(true);

    // ALERTS is written to the embedded store, as Prometheus writes it to its TSDB (from the evaluation
    // after the `for` state restore, as Prometheus does)
    const alertsQuery = `${telemetry.url}/api/v1/query?query=${encodeURIComponent('ALERTS{alertname="ProxyPoolUnhealthy",alertstate="firing"}')}`;
    const alertsSeries = await waitFor('ALERTS in the store', async () => {
      const { data } = (await (await fetch(alertsQuery)).json()) as { data: { result: unknown[] } };
      return data.result.length > 0 ? data.result : undefined;
    });
    expect(alertsSeries).toHaveLength(1);

    healthy = 0.9;
    const resolved = await waitFor('the resolution', () => received.find((a) => a.status === 'resolved'));
    expect(resolved.labels.pool).toBe('residential');
  }, 30_000);

  it('refuses to start with an invalid rule file, naming file and line', async () => {
    const rules = join(tmp.dir, 'broken.yml');
    writeFileSync(rules, 'groups:\n  - name: broken\n    rules:\n      - alert: Bad\n        expr: sum(\n');
    const error = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      alerting: { ruleFiles: [rules] },
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${rules}:5`);
  });

  it('restores the pending state of a long `for` after a restart from the state file', async () => {
    const rules = join(tmp.dir, 'long-for.yml');
    writeFileSync(
      rules,
      'groups:\n  - name: slow\n    interval: 1s\n    rules:\n      - alert: QueueStuck\n        expr: queue_depth > 10\n        for: 15m\n',
    );
    const stateFile = join(tmp.dir, 'alert-state.json');
    const start = async () => {
      const t = await startTelemetry({
        env: {},
        configFile: false,
        logger: silentLogger,
        registerGlobal: false,
        server: { enabled: false },
        collectIntervalMs: 100,
        alerting: { ruleFiles: [rules], stateFile },
      });
      t.meter('orchestrator')
        .createObservableGauge('queue.depth')
        .addCallback((r) => r.observe(50, { queue: 'emails' }));
      return t;
    };
    const first = await start();
    const pending = await waitFor('a pending alert', () =>
      first.alerting?.evaluator.alerts().find((a) => a.state === 'pending'),
    );
    // the state file is written once the rule's state has been restored (from the second evaluation on)
    await waitFor('the state file', () =>
      statSync(stateFile, { throwIfNoEntry: false })?.size ? true : undefined,
    );
    // pending for a while, so a restored alert is clearly older than a fresh one would be
    await new Promise((r) => setTimeout(r, 3_500));
    await first.shutdown();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const restartedAt = Date.now();
    const second = await start();
    try {
      const restored = await waitFor('the restored alert', () =>
        second.alerting?.evaluator.alerts().find((a) => a.state === 'pending' && a.activeAt < restartedAt),
      );
      // a fresh alert would be active from after the restart; the restored one keeps the time it had spent
      // pending (its start moves by the downtime, as Prometheus's restore does)
      expect(restored.labels.queue).toBe('emails');
      expect(restored.activeAt).toBeGreaterThanOrEqual(pending.activeAt);
    } finally {
      await second.shutdown();
    }
  }, 30_000);
});
