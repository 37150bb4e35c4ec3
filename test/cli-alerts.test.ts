/**
 * `yardstick alerts run`: rules evaluated against yardstick's embedded /api/v1; with `--once`, firing alerts
 * sent to a real Alertmanager 0.25 and read back from its v2 API, and to a local stand-in that accepts,
 * answers 404 or is not there at all (exit 1 with one line naming the URL); without it, the real CLI
 * process evaluating on its interval, delivering to a local webhook, and stopping cleanly on SIGTERM.
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

/** A local stand-in for Alertmanager answering every request with `status`, keeping the posted alerts. */
async function standInAlertmanager(status: number): Promise<{
  url: string;
  posted: { path: string; alerts: { labels: Record<string, string> }[] }[];
  close(): Promise<void>;
}> {
  const posted: { path: string; alerts: { labels: Record<string, string> }[] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      posted.push({ path: req.url ?? '', alerts: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `yardstick: ` message lines of stderr (the summary line is not one). */
function messages(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('yardstick: '));
}

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

  it('with --once, exits 0 once Alertmanager accepted the firing alerts', async () => {
    const am = await standInAlertmanager(200);
    try {
      const cli = captureCli({ now });
      const args = [
        'alerts',
        'run',
        '--rules',
        rules,
        '--source',
        source,
        '--alertmanager',
        am.url,
        '--once',
      ];
      expect(await runCli(args, cli.io), cli.err()).toBe(0);
      expect(messages(cli.err())).toEqual([]);
      expect(am.posted.map((p) => [p.path, p.alerts.map((a) => a.labels.alertname)])).toEqual([
        ['/api/v2/alerts', ['QueueBacklog']],
      ]);
    } finally {
      await am.close();
    }
  });

  it('with --once, exits 1 with one line naming the URL when Alertmanager answers 404', async () => {
    const am = await standInAlertmanager(404);
    try {
      const cli = captureCli({ now });
      const args = [
        'alerts',
        'run',
        '--rules',
        rules,
        '--source',
        source,
        '--alertmanager',
        am.url,
        '--once',
      ];
      expect(await runCli(args, cli.io), cli.err()).toBe(1);
      expect(messages(cli.err())).toEqual([
        `yardstick: alertmanager: 1 alert not delivered: ${am.url}/api/v2/alerts: HTTP 404 Not Found`,
      ]);
      // The alerts are still printed: the evaluation itself worked.
      expect(cli.out()).toMatch(/^firing QueueBacklog /m);
    } finally {
      await am.close();
    }
  });

  it('with --once, exits 1 with one line naming the URL when Alertmanager is unreachable', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const cli = captureCli({ now });
    const args = [
      'alerts',
      'run',
      '--rules',
      rules,
      '--source',
      source,
      '--alertmanager',
      `http://${closed}`,
    ];
    expect(await runCli([...args, '--once'], cli.io), cli.err()).toBe(1);
    expect(messages(cli.err())).toEqual([
      `yardstick: alertmanager: 1 alert not delivered: http://${closed}/api/v2/alerts: connect ECONNREFUSED ${closed}`,
    ]);
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
