/**
 * The Alertmanager v2 payload compared with what a real Prometheus (2.42) posts for the same rule:
 * Prometheus is pointed at a capturing HTTP server standing in for Alertmanager, and its first POST is
 * compared with the payload `AlertmanagerNotifier` builds for the same alert — keys, labels with the
 * external labels, rendered annotations, `generatorURL`, and `endsAt` = send time + 4 × max(interval,
 * resend delay).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AlertingRule, AlertmanagerNotifier, type Datasource } from '@yardstick/alert-evaluator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

// Spelled unlike Prometheus prints it, so generatorURL must carry the canonical form to match.
const EXPR = 'sum(vector(1))   by(pool)>0';
const EXTERNAL_URL = 'http://prom.example:9090';

describe.skipIf(prometheus.skipReason !== undefined)('Alertmanager payload parity with Prometheus', () => {
  const tmp = tempDir('yardstick-payload-');
  const posts: { path: string | undefined; alerts: PostedAlert[]; receivedAt: number }[] = [];
  let capture: Server | undefined;
  let server: RunningPeer | undefined;

  beforeAll(async () => {
    capture = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        posts.push({ path: req.url, alerts: JSON.parse(body) as PostedAlert[], receivedAt: Date.now() });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => capture!.listen(0, '127.0.0.1', resolve));
    const capturePort = (capture.address() as AddressInfo).port;
    writeFileSync(
      join(tmp.dir, 'rules.yml'),
      `groups:
  - name: payload
    interval: 1s
    rules:
      - alert: PayloadProbe
        expr: ${EXPR}
        labels:
          severity: critical
          pool: gpu-a
        annotations:
          summary: 'Probe {{ $labels.pool }} at {{ $value | humanize }} in {{ $externalLabels.cluster }}'
`,
      // $labels are the series' labels, before rule labels: pool renders empty, in Prometheus as here.
    );
    writeFileSync(
      join(tmp.dir, 'prometheus.yml'),
      `global:
  evaluation_interval: 1s
  external_labels:
    cluster: prod-eu
alerting:
  alertmanagers:
    - api_version: v2
      static_configs:
        - targets: ['127.0.0.1:${capturePort}']
rule_files:
  - ${join(tmp.dir, 'rules.yml')}
`,
    );
    const port = await freePort();
    server = await startPeer(
      prometheus.path!,
      [
        `--config.file=${join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${EXTERNAL_URL}/`,
        // Alertmanagers are discovered a few seconds after start, and alerts sent before are dropped: a
        // short resend delay makes the next send come soon after.
        '--rules.alert.resend-delay=1s',
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => (capture ? capture.close(() => resolve()) : resolve()));
    tmp.cleanup();
  });

  it('posts what Prometheus posts for the same firing alert', async () => {
    const deadline = Date.now() + 30_000;
    while (posts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(posts.length, server?.output()).toBeGreaterThan(0);
    const { path, alerts, receivedAt } = posts[0]!;
    expect(path).toBe('/api/v2/alerts');
    expect(alerts).toHaveLength(1);
    const theirs = alerts[0]!;

    const rule = new AlertingRule(
      {
        kind: 'alerting',
        name: 'PayloadProbe',
        expr: EXPR,
        forMs: 0,
        keepFiringForMs: 0,
        labels: { severity: 'critical', pool: 'gpu-a' },
        annotations: {
          summary: 'Probe {{ $labels.pool }} at {{ $value | humanize }} in {{ $externalLabels.cluster }}',
        },
        channels: [],
        suppressionSchedule: undefined,
        source: { file: 'rules.yml', line: 1 },
      },
      { externalLabels: { cluster: 'prod-eu' }, externalURL: EXTERNAL_URL },
    );
    const ds: Datasource = {
      async query() {
        // What the expression returns: one sample without labels (vector(1) has none to group by).
        return { type: 'vector', samples: [{ labels: {}, value: 1 }] };
      },
    };
    const firedAt = Date.parse(theirs.startsAt);
    await rule.eval(firedAt, ds);
    // Resend delay 1s, as Prometheus was started with; this group's interval 1s.
    const due = rule.alertsToSend(firedAt, 1_000, 1_000);
    const notifier = new AlertmanagerNotifier({
      urls: ['http://127.0.0.1:1'],
      externalLabels: { cluster: 'prod-eu' },
      externalURL: EXTERNAL_URL,
    });
    const ours = notifier.toWire(due, { expr: EXPR })[0]!;

    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.labels).toEqual(theirs.labels);
    expect(ours.annotations).toEqual(theirs.annotations);
    expect(ours.generatorURL).toBe(theirs.generatorURL);
    expect(ours.startsAt).toBe(theirs.startsAt);
    // endsAt = send time + 4 × max(interval, resend delay) = 4 s after the send, in both.
    expect(Date.parse(ours.endsAt) - firedAt).toBe(4_000);
    const theirsAhead = Date.parse(theirs.endsAt) - receivedAt;
    expect(theirsAhead).toBeGreaterThan(3_000);
    expect(theirsAhead).toBeLessThanOrEqual(4_000);
  }, 40_000);
});
