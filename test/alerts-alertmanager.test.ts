/**
 * End to end against a real Alertmanager 0.25: an embedded store breaches a threshold, the evaluator
 * (1 s interval, `for: 2s`) fires, and the alert reaches Alertmanager with its scope labels and rendered
 * annotations within `for` + one interval; it resolves when the condition clears; and with Alertmanager
 * down, the alert waits in the queue and arrives once Alertmanager is back.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  AlertEvaluator,
  AlertmanagerNotifier,
  alertFingerprint,
  createEmbeddedDatasource,
  webhookPayload,
} from '@yardstick/alert-evaluator';
import { SampleStore } from '@yardstick/promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const am = peer('alertmanager');

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

describe.skipIf(am.skipReason !== undefined)('alerts reach a real Alertmanager', () => {
  const tmp = tempDir('yardstick-am-');
  let port = 0;
  let alertmanager: RunningPeer | undefined;
  let evaluator: AlertEvaluator | undefined;
  let feeder: NodeJS.Timeout | undefined;
  const store = new SampleStore();
  /** Current value of each pool's queue depth; the feeder appends them every 100 ms. */
  const depth = new Map<string, number>();
  const notifier = () =>
    new AlertmanagerNotifier({
      name: 'am',
      urls: [`http://127.0.0.1:${port}`],
      externalURL: 'http://yardstick.test',
      retryDelayMs: 200,
      maxRetryDelayMs: 500,
      timeoutMs: 2_000,
    });
  let am1: AlertmanagerNotifier;

  async function startAlertmanager(): Promise<void> {
    alertmanager = await startPeer(
      am.path!,
      [
        `--config.file=${join(tmp.dir, 'am.yml')}`,
        `--storage.path=${tmp.dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
  }

  async function amAlerts(): Promise<AmAlert[]> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts`);
      return res.ok ? ((await res.json()) as AmAlert[]) : [];
    } catch {
      return [];
    }
  }

  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** Webhook payloads Alertmanager itself sends, to compare our webhook notifier's payload with. */
  const amWebhooks: Record<string, unknown>[] = [];
  let hookServer: Server | undefined;

  beforeAll(async () => {
    port = await freePort();
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        amWebhooks.push(JSON.parse(body) as Record<string, unknown>);
        res.end();
      });
    });
    await new Promise<void>((r) => hookServer!.listen(0, '127.0.0.1', r));
    const hookAddr = hookServer.address();
    const hookPort = typeof hookAddr === 'object' && hookAddr ? hookAddr.port : 0;
    writeFileSync(
      join(tmp.dir, 'am.yml'),
      `route:\n  receiver: hook\n  group_by: [alertname, pool]\n  group_wait: 100ms\n  group_interval: 1s\n` +
        `receivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${hookPort}/hook\n`,
    );
    writeFileSync(
      join(tmp.dir, 'rules.yml'),
      `groups:
  - name: capacity
    interval: 1s
    rules:
      - alert: InferenceQueueBacklog
        expr: max by (pool, region, model) (inference_queue_depth) > 100
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: "Queue backlog on {{ $labels.pool }} in {{ $labels.region }}"
          description: "{{ humanize $value }} requests queued for {{ $labels.model }}"
`,
    );
    await startAlertmanager();
    feeder = setInterval(() => {
      const now = Date.now();
      for (const [pool, v] of depth) {
        store.append({ __name__: 'inference_queue_depth', pool, region: 'eu-west', model: 'llama' }, now, v);
      }
    }, 100);
    am1 = notifier();
    evaluator = await AlertEvaluator.create({
      ruleFiles: [join(tmp.dir, 'rules.yml')],
      datasource: createEmbeddedDatasource(store, { lookbackDeltaMs: 1_000 }),
      sink: { append: (labels, t, v) => store.append(labels, t, v) },
      notifiers: new Map([['am', am1]]),
      resendDelayMs: 1_000,
    });
    evaluator.start();
  }, 60_000);

  afterAll(async () => {
    if (feeder !== undefined) clearInterval(feeder);
    await evaluator?.stop();
    await alertmanager?.stop();
    await new Promise((r) => (hookServer ? hookServer.close(r) : r(undefined)));
    tmp.cleanup();
  });

  it('fires within for + one interval with scope labels and rendered annotations, then resolves', async () => {
    const breachAt = Date.now();
    depth.set('gpu-a', 12_345.6);
    const alert = await waitFor('the alert in Alertmanager', async () =>
      (await amAlerts()).find((a) => a.labels.pool === 'gpu-a'),
    );
    const elapsed = Date.now() - breachAt;
    // for (2 s) + one interval (1 s) + one interval of alignment + delivery slack.
    expect(elapsed).toBeLessThan(6_000);
    // Exactly: pending at the first evaluation after the breach (within one interval plus the feeder's
    // 100 ms), firing exactly `for` later, and Alertmanager's startsAt is that firing time.
    const ours = evaluator!.alerts().find((a) => a.labels.pool === 'gpu-a')!;
    expect(ours.activeAt - breachAt).toBeLessThanOrEqual(1_000 + 200);
    expect(ours.firedAt! - ours.activeAt).toBe(2_000);
    expect(Date.parse(alert.startsAt)).toBe(ours.firedAt);
    expect(alert.labels).toEqual({
      alertname: 'InferenceQueueBacklog',
      pool: 'gpu-a',
      region: 'eu-west',
      model: 'llama',
      severity: 'critical',
    });
    expect(alert.annotations).toEqual({
      summary: 'Queue backlog on gpu-a in eu-west',
      description: '12.35k requests queued for llama',
    });
    expect(alert.fingerprint).toBe(alertFingerprint(alert.labels));
    expect(alert.status.state).toBe('active');

    // Alertmanager's own webhook (payload v4) has the same shape as our webhook notifier's.
    const amHook = await waitFor("Alertmanager's webhook", async () =>
      amWebhooks.find((w) => (w.alerts as { labels: Record<string, string> }[])[0]?.labels.pool === 'gpu-a'),
    );
    const payload = webhookPayload(
      'hook',
      evaluator!.alerts().filter((a) => a.labels.pool === 'gpu-a'),
      { expr: 'x' },
      'http://yardstick.test',
    ) as unknown as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(Object.keys(amHook).sort());
    const amAlert = (amHook.alerts as Record<string, unknown>[])[0]!;
    const ourAlert = (payload.alerts as Record<string, unknown>[])[0]!;
    expect(Object.keys(ourAlert).sort()).toEqual(Object.keys(amAlert).sort());
    expect(ourAlert.fingerprint).toBe(amAlert.fingerprint);
    expect(ourAlert.labels).toEqual(amAlert.labels);
    expect(ourAlert.annotations).toEqual(amAlert.annotations);
    expect(ourAlert.startsAt).toBe(amAlert.startsAt);
    expect(amHook.version).toBe('4');

    depth.set('gpu-a', 10);
    const resolved = await waitFor('the alert to resolve', async () => {
      const a = evaluator!.alerts().find((x) => x.labels.pool === 'gpu-a');
      return a?.state === 'inactive' ? a : undefined;
    });
    // The resolution itself reaches Alertmanager (endsAt = the resolve time), rather than the alert
    // merely expiring at its last endsAt (4 × max(interval, resend delay) after the last send): the
    // resolved notification Alertmanager sends carries our resolve time.
    const resolvedHook = await waitFor("Alertmanager's resolved notification", async () =>
      amWebhooks
        .flatMap((w) => w.alerts as { labels: Record<string, string>; status: string; endsAt: string }[])
        .find((a) => a.labels.pool === 'gpu-a' && a.status === 'resolved'),
    );
    expect(Date.parse(resolvedHook.endsAt)).toBe(resolved.resolvedAt);
    expect((await amAlerts()).find((x) => x.labels.pool === 'gpu-a')).toBeUndefined();
    depth.delete('gpu-a');
  }, 30_000);

  it('queues the alert while Alertmanager is down and delivers it once when it is back', async () => {
    await alertmanager!.stop();
    depth.set('gpu-c', 500);
    await waitFor('a failed delivery attempt', async () =>
      am1.stats().failedAttempts > 0 ? true : undefined,
    );
    expect(am1.stats().queueLength).toBeGreaterThan(0);
    await startAlertmanager();
    const alerts = await waitFor('the queued alert in Alertmanager', async () => {
      const list = (await amAlerts()).filter((a) => a.labels.pool === 'gpu-c');
      return list.length > 0 ? list : undefined;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.annotations.summary).toBe('Queue backlog on gpu-c in eu-west');
    await waitFor('an empty queue', async () => (am1.stats().queueLength === 0 ? true : undefined));
    // Paged once: resends after the outage (every second here) do not make Alertmanager notify again.
    const pages = () =>
      amWebhooks.filter((w) =>
        (w.alerts as { labels: Record<string, string>; status: string }[]).some(
          (a) => a.labels.pool === 'gpu-c' && a.status === 'firing',
        ),
      ).length;
    await waitFor("Alertmanager's notification", async () => (pages() > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(pages()).toBe(1);
    depth.delete('gpu-c');
  }, 30_000);
});
