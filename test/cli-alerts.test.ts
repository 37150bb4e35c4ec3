/**
 * `yardstick alerts run`: rules evaluated against yardstick's embedded /api/v1; with `--once`, firing alerts
 * sent to a real Alertmanager 0.25 and read back from its v2 API; without it, the real CLI process evaluating
 * on its interval, delivering to a local webhook, and stopping cleanly on SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureCli, spawnCli } from './support/cli-io.ts';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const rules = join(import.meta.dirname, 'fixtures', 'cli', 'alerts.yaml');
const alertmanager = peer('alertmanager');

describe('yardstick alerts run', () => {
  const work = tempDir('yardstick-cli-alerts-');
  let server: Server;
  let source = '';
  let am: RunningPeer | undefined;
  let amUrl = '';
  const now = Date.now();

  beforeAll(async () => {
    const store = new SampleStore({ retentionMs: 86_400_000, now: () => now });
    for (let t = now - 600_000; t <= now; t += 15_000) {
      store.append({ __name__: 'queue_depth', queue: 'mail' }, t, 42);
      store.append({ __name__: 'queue_depth', queue: 'sms' }, t, 3);
    }
    server = createServer(createQueryApi({ store, now: () => now }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    source = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (alertmanager.path) {
      const port = await freePort();
      const config = join(work.dir, 'alertmanager.yml');
      writeFileSync(config, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
      amUrl = `http://127.0.0.1:${port}`;
      am = await startPeer(
        alertmanager.path,
        [
          `--config.file=${config}`,
          `--storage.path=${join(work.dir, 'am')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        `${amUrl}/-/ready`,
      );
    }
  });

  afterAll(async () => {
    await am?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    work.cleanup();
  });

  it('prints firing and pending alerts once and exits 0', async () => {
    const cli = captureCli({ now });
    expect(
      await runCli(['alerts', 'run', '--rules', rules, '--source', source, '--once'], cli.io),
      cli.err(),
    ).toBe(0);
    expect(cli.out().trim().split('\n').sort()).toEqual([
      'firing QueueBacklog {queue="mail", severity="warning"} 42',
      'pending QueueBacklogLong {queue="mail"} 42',
    ]);
    expect(cli.err()).toMatch(/evaluated 2 rules in 1 groups: 2 active alerts/);
  });

  it('exits 2 with file:line for an invalid rule file', async () => {
    const cli = captureCli({ now });
    const broken = join(import.meta.dirname, 'fixtures', 'cli', 'rules-broken.yaml');
    expect(await runCli(['alerts', 'run', '--rules', broken, '--source', source, '--once'], cli.io)).toBe(2);
    expect(cli.err()).toMatch(/^yardstick: .*rules-broken\.yaml:\d+: /);
  });

  it.skipIf(alertmanager.skipReason !== undefined)('sends firing alerts to a real Alertmanager', async () => {
    const cli = captureCli({ now });
    const args = ['alerts', 'run', '--rules', rules, '--source', source, '--alertmanager', amUrl, '--once'];
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
    const alerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
    expect(alerts.map((a) => [a.labels.alertname, a.labels.queue, a.annotations.summary])).toEqual([
      ['QueueBacklog', 'mail', 'Queue mail holds 42 items'],
    ]);
  });

  it('without --once, keeps evaluating until SIGTERM, delivers to a webhook, and exits 0', async () => {
    const received: { status: string; alerts: { status: string; labels: Record<string, string> }[] }[] = [];
    const webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    const args = ['alerts', 'run', '--rules', rules, '--source', source, '--webhook', webhookUrl];
    const { child, stderr, exited } = spawnCli([...args, '--interval', '1s']);
    try {
      const firing = await waitFor(
        'the running CLI to deliver a firing alert to the webhook',
        () => received.find((p) => p.alerts.some((a) => a.labels.alertname === 'QueueBacklog')),
        { timeoutMs: 20_000 },
      );
      expect(firing.status).toBe('firing');
      expect(firing.alerts.map((a) => [a.status, a.labels.alertname, a.labels.queue])).toEqual([
        ['firing', 'QueueBacklog', 'mail'],
      ]);
      expect(stderr()).toMatch(/evaluating 1 rule groups against http:\/\/127\.0\.0\.1:\d+; Ctrl-C stops/);
      child.kill('SIGTERM');
      expect(await exited, stderr()).toBe(0);
      expect(stderr()).not.toMatch(/yardstick: /);
    } finally {
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => webhook.close(() => resolve()));
    }
  });
});
