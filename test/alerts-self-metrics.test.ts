/**
 * The evaluator's self-metrics as an operator scrapes them: in-process alerting through `startTelemetry`,
 * a firing critical alert, a rule that fails every evaluation, one channel that accepts and one that is
 * unreachable, and a reload — then the exact family names and labels on `/metrics`.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tempDir } from './support/peers.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const tmp = tempDir('yardstick-alert-metrics-');
let telemetry: Telemetry | undefined;
let receiver: Server | undefined;

afterAll(async () => {
  await telemetry?.shutdown();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  tmp.cleanup();
});

async function scrape(): Promise<string> {
  return (await fetch(`${telemetry!.url}/metrics`)).text();
}

/** Polls `/metrics` (bounded) until every pattern matches; returns the last exposition. */
async function scrapeUntil(patterns: readonly RegExp[], timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await scrape();
    if (patterns.every((p) => p.test(text))) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return text;
}

describe('alerting self-metrics on /metrics', () => {
  it('exposes active alerts, evaluation duration and failures, notifications and reloads by their names', async () => {
    let posts = 0;
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        posts++;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const closedPort = await freePort();
    const rules = join(tmp.dir, 'rules.yml');
    writeFileSync(
      rules,
      `groups:
  - name: self
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: { severity: critical }
      - alert: AlwaysFailing
        expr: up[1m]
`,
    );
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: quiet,
      registerGlobal: false,
      server: { port: 0 },
      collectIntervalMs: 200,
      alerting: {
        ruleFiles: [rules],
        channels: [
          { name: 'oncall', type: 'webhook', url: hook },
          { name: 'gone', type: 'webhook', url: `http://127.0.0.1:${closedPort}/hook`, timeout_ms: 1_000 },
        ],
      },
    });
    const reload = await telemetry.alerting!.evaluator.reload();
    expect(reload.ok).toBe(true);

    const text = await scrapeUntil([
      /^yardstick_alerts_active\{/m,
      /^yardstick_rule_evaluation_failures_total\{/m,
      /^yardstick_notifications_sent_total\{/m,
      /^yardstick_notifications_failed_total\{/m,
    ]);
    expect(posts).toBeGreaterThan(0);
    const line = (re: RegExp) => text.split('\n').find((l) => re.test(l));
    expect(line(/^yardstick_alerts_active\{/)).toMatch(
      /^yardstick_alerts_active\{(?=.*alertstate="firing")(?=.*severity="critical").*\} 1$/,
    );
    expect(text).toMatch(/^# TYPE yardstick_rule_evaluation_duration_seconds histogram$/m);
    expect(text).toMatch(/^yardstick_rule_evaluation_duration_seconds_bucket\{.*rule_group="self".*\} \d+/m);
    expect(line(/^yardstick_rule_evaluation_failures_total\{/)).toMatch(
      /^yardstick_rule_evaluation_failures_total\{(?=.*rule_group="self")(?=.*rule="AlwaysFailing").*\} \d+$/,
    );
    expect(line(/^yardstick_notifications_sent_total\{/)).toMatch(/channel="oncall".*\} [1-9]\d*$/);
    expect(line(/^yardstick_notifications_failed_total\{/)).toMatch(/channel="gone".*\} [1-9]\d*$/);
    expect(line(/^yardstick_rule_reloads_total\{/)).toMatch(/result="success".*\} 1$/);
    expect(line(/^yardstick_rule_last_reload_success/)).toMatch(/ 1$/);
  }, 30_000);
});
