/**
 * The evaluator's self-metrics as an operator scrapes them: in-process alerting through `startTelemetry`,
 * a firing critical alert, a rule that fails every evaluation, one channel that accepts, one that is
 * unreachable and one that refuses the payload, and a reload — then the exact family names and labels on
 * `/metrics`.
 * And `yardstick_alerts_active` through an alert's life (pending, firing, resolved), as `/metrics` renders
 * it, evaluated at chosen instants.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AlertEvaluator, createEmbeddedDatasource } from '@yardstick/alert-evaluator';
import { SampleStore } from '@yardstick/promql';
import { PrometheusReader, startTelemetry, type Telemetry } from '@yardstick/sdk';
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
        if (req.url === '/refused') {
          res.writeHead(400).end();
          return;
        }
        posts++;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
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
          { name: 'oncall', type: 'webhook', url: `${base}/hook` },
          { name: 'gone', type: 'webhook', url: `http://127.0.0.1:${closedPort}/hook`, timeout_ms: 1_000 },
          { name: 'refused', type: 'slack', url: `${base}/refused` },
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
      /^yardstick_notifications_dropped_total\{/m,
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
    expect(line(/^yardstick_notifications_failed_total\{(?=.*channel="gone")/)).toMatch(/\} [1-9]\d*$/);
    // A refused payload (4xx) is dropped, not retried; the unreachable channel keeps its alert queued.
    expect(text.split('\n').filter((l) => /^yardstick_notifications_dropped_total\{/.test(l))).toEqual([
      expect.stringMatching(/^yardstick_notifications_dropped_total\{.*channel="refused".*\} [1-9]\d*$/),
    ]);
    expect(line(/^yardstick_rule_reloads_total\{/)).toMatch(/result="success".*\} 1$/);
    expect(line(/^yardstick_rule_last_reload_success/)).toMatch(/ 1$/);
  }, 30_000);
});

describe('yardstick_alerts_active through the life of an alert', () => {
  /** The gauge's samples in a `/metrics` exposition, as `alertname/alertstate/severity` → value. */
  function activeSeries(text: string): Record<string, number> {
    const series: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^yardstick_alerts_active\{(.*)\} (\S+)$/.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      series[`${labels.alertname}/${labels.alertstate}/${labels.severity}`] = Number(match[2]);
    }
    return series;
  }

  it('reports 0 for the states an alert has left: pending 1, then firing 1 and pending 0, then both 0', async () => {
    const rules = join(tmp.dir, 'backlog.yml');
    writeFileSync(
      rules,
      `groups:
  - name: backlog
    interval: 15s
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 10
        for: 30s
        labels: { severity: warning }
`,
    );
    const store = new SampleStore();
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const evaluator = await AlertEvaluator.create({
      ruleFiles: [rules],
      datasource: createEmbeddedDatasource(store),
      meter: provider.getMeter('alerting'),
    });
    const group = evaluator.groups()[0]!;
    const scrape = async () => {
      let text = '';
      for await (const chunk of await reader.render('text')) text += chunk;
      return activeSeries(text);
    };
    const at = async (t: number, depth: number) => {
      store.append({ __name__: 'queue_depth', queue: 'mail' }, t, depth);
      await group.evaluate(t);
    };
    const t0 = Date.now();
    try {
      await at(t0, 42);
      expect(await scrape()).toEqual({ 'QueueBacklog/pending/warning': 1 });
      await at(t0 + 15_000, 42);
      await at(t0 + 30_000, 42);
      expect(await scrape()).toEqual({ 'QueueBacklog/pending/warning': 0, 'QueueBacklog/firing/warning': 1 });
      await at(t0 + 45_000, 3);
      expect(evaluator.alerts().map((a) => a.state)).toEqual(['inactive']);
      expect(await scrape()).toEqual({ 'QueueBacklog/pending/warning': 0, 'QueueBacklog/firing/warning': 0 });
    } finally {
      await evaluator.stop();
      await provider.shutdown();
    }
  });
});
