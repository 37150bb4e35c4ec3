import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertSnapshot } from '../state/alert.ts';
import { AlertmanagerNotifier } from './alertmanager-notifier.ts';
import { createNotificationChannels } from './notification-channels.ts';
import { alertFingerprint, goTime } from './notifier.ts';
import { SlackNotifier, slackMessage } from './slack-notifier.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

interface Receiver {
  url: string;
  bodies: unknown[];
  status: number;
}

const servers: Server[] = [];

async function receiver(): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [], status: 200 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (r.status === 200) r.bodies.push({ path: req.url, body: JSON.parse(body) });
      res.writeHead(r.status);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  r.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return r;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((ok) => s.close(ok))));
});

const T = Date.UTC(2026, 0, 5, 12, 0, 0);

function alert(i: number, overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    rule: 'QueueHigh',
    state: 'firing',
    labels: { alertname: 'QueueHigh', pool: `p${i}`, region: 'eu' },
    annotations: { summary: `pool p${i} backlog` },
    value: 1,
    activeAt: T - 60_000,
    firedAt: T,
    resolvedAt: undefined,
    validUntil: T + 240_000,
    ...overrides,
  };
}

/** A port on 127.0.0.1 nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('AlertmanagerNotifier', () => {
  it('posts the API v2 payload Prometheus sends, with external labels and generatorURL', async () => {
    const am = await receiver();
    const n = new AlertmanagerNotifier({
      urls: [am.url],
      externalLabels: { cluster: 'prod', region: 'ignored-when-set' },
      externalURL: 'http://prom:9090',
    });
    await n.notify([alert(1), alert(2, { state: 'inactive', resolvedAt: T + 60_500 })], {
      expr: 'queue > 10',
    });
    await n.flush();
    expect(am.bodies).toEqual([
      {
        path: '/api/v2/alerts',
        body: [
          {
            labels: { alertname: 'QueueHigh', pool: 'p1', region: 'eu', cluster: 'prod' },
            annotations: { summary: 'pool p1 backlog' },
            // go-openapi strfmt.DateTime: always three fraction digits, as Prometheus posts them
            startsAt: '2026-01-05T12:00:00.000Z',
            endsAt: '2026-01-05T12:04:00.000Z',
            generatorURL: 'http://prom:9090/graph?g0.expr=queue+%3E+10&g0.tab=1',
          },
          {
            labels: { alertname: 'QueueHigh', pool: 'p2', region: 'eu', cluster: 'prod' },
            annotations: { summary: 'pool p2 backlog' },
            startsAt: '2026-01-05T12:00:00.000Z',
            endsAt: '2026-01-05T12:01:00.500Z',
            generatorURL: 'http://prom:9090/graph?g0.expr=queue+%3E+10&g0.tab=1',
          },
        ],
      },
    ]);
    expect(n.stats()).toMatchObject({ sent: 2, queueLength: 0 });
  });

  it('sends at most 64 alerts per request', async () => {
    const am = await receiver();
    const n = new AlertmanagerNotifier({ urls: [am.url] });
    await n.notify(
      Array.from({ length: 130 }, (_x, i) => alert(i)),
      { expr: 'x' },
    );
    await waitFor(() => n.stats().queueLength === 0);
    expect(am.bodies.map((b) => (b as { body: unknown[] }).body.length)).toEqual([64, 64, 2]);
  });

  it('keeps alerts queued while Alertmanager is down and delivers them once it is back', async () => {
    const am = await receiver();
    am.status = 503;
    const n = new AlertmanagerNotifier({ urls: [am.url], retryDelayMs: 20, maxRetryDelayMs: 40 });
    await n.notify([alert(1)], { expr: 'x' });
    await n.notify([alert(1, { value: 2 })], { expr: 'x' });
    await waitFor(() => n.stats().failedAttempts >= 2);
    expect(n.stats().queueLength).toBe(1);
    am.status = 200;
    await waitFor(() => n.stats().queueLength === 0);
    expect(am.bodies).toHaveLength(1);
    expect((am.bodies[0] as { body: unknown[] }).body).toHaveLength(1);
    await n.close();
  });

  it('drops a batch Alertmanager rejects as invalid instead of retrying it ahead of every later alert', async () => {
    const am = await receiver();
    am.status = 400;
    const n = new AlertmanagerNotifier({ urls: [am.url], retryDelayMs: 20, maxRetryDelayMs: 40 });
    await n.notify([alert(1)], { expr: 'x' });
    await waitFor(() => n.stats().failedAttempts >= 1);
    await n.flush();
    expect(n.stats()).toMatchObject({ queueLength: 0, dropped: 1 });
    am.status = 200;
    await n.notify([alert(2)], { expr: 'x' });
    await waitFor(() => n.stats().queueLength === 0 && am.bodies.length === 1);
    const labels = (am.bodies[0] as { body: { labels: Record<string, string> }[] }).body.map(
      (a) => a.labels.pool,
    );
    expect(labels).toEqual(['p2']);
    await n.close();
  });

  it('drops the oldest alerts beyond its capacity and counts them', async () => {
    const am = await receiver();
    am.status = 500;
    const n = new AlertmanagerNotifier({ urls: [am.url], queueCapacity: 3, retryDelayMs: 10_000 });
    await n.notify([alert(1), alert(2), alert(3), alert(4), alert(5)], { expr: 'x' });
    expect(n.stats()).toMatchObject({ dropped: 2, queueLength: 3 });
    am.status = 200;
    await n.close();
  });

  it('keeps at most its capacity, dropping the oldest distinct alerts, for any sequence (model-based)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 6 }), { maxLength: 8 }),
        async (capacity, batches) => {
          // Nothing listens on port 9: every delivery fails, so the queue only grows and drops.
          const n = new AlertmanagerNotifier({
            urls: ['http://127.0.0.1:9'],
            queueCapacity: capacity,
            retryDelayMs: 60_000,
          });
          const model: number[] = [];
          let dropped = 0;
          for (const batch of batches) {
            await n.notify(
              batch.map((i) => alert(i)),
              { expr: 'x' },
            );
            for (const i of batch) {
              const at = model.indexOf(i);
              if (at >= 0) model.splice(at, 1);
              model.push(i);
            }
            while (model.length > capacity) {
              model.shift();
              dropped++;
            }
            expect(n.stats()).toMatchObject({ queueLength: model.length, dropped });
          }
          await n.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reports success when one of several Alertmanagers accepts', async () => {
    const up = await receiver();
    const down = await receiver();
    down.status = 500;
    const n = new AlertmanagerNotifier({ urls: [down.url, up.url] });
    await n.notify([alert(1)], { expr: 'x' });
    await n.flush();
    expect(n.stats()).toMatchObject({ sent: 1, failedAttempts: 0 });
  });
});

describe('WebhookNotifier and SlackNotifier', () => {
  it('posts Alertmanager webhook payload v4', async () => {
    const hook = await receiver();
    const n = new WebhookNotifier({ name: 'ops', url: `${hook.url}/hook`, externalURL: 'http://prom:9090' });
    const res = await n.notify([alert(1), alert(2, { state: 'inactive', resolvedAt: T + 1000 })], {
      expr: 'up',
    });
    expect(res).toEqual({ ok: true, accepted: 2 });
    expect(await n.flush()).toEqual({ ok: true, undelivered: 0 });
    const { body } = hook.bodies[0] as { body: Record<string, unknown> };
    expect(body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: 'QueueHigh' },
      commonLabels: { alertname: 'QueueHigh', region: 'eu' },
      commonAnnotations: {},
      externalURL: 'http://prom:9090',
      truncatedAlerts: 0,
    });
    expect((body.alerts as unknown[])[1]).toMatchObject({
      status: 'resolved',
      endsAt: goTime(T + 1000),
      fingerprint: alertFingerprint({ alertname: 'QueueHigh', pool: 'p2', region: 'eu' }),
    });
    expect((body.alerts as { endsAt: string }[])[0]!.endsAt).toBe('0001-01-01T00:00:00Z');
  });

  it('posts a Slack message naming the scope of each alert', async () => {
    const hook = await receiver();
    const n = new SlackNotifier({ name: 'slack', url: hook.url });
    await n.notify([alert(1)], { expr: 'up' });
    await n.flush();
    const { body } = hook.bodies[0] as { body: { text: string; blocks: unknown[] } };
    expect(body.text).toBe(
      '[FIRING:1] QueueHigh\n:rotating_light: QueueHigh (pool=p1 region=eu): pool p1 backlog',
    );
    expect(body.blocks).toHaveLength(2);
  });

  it('escapes label values Slack would read as markup or mentions', () => {
    const a = alert(1, {
      labels: { alertname: 'QueueHigh', pool: '<!channel>', region: 'a & b' },
      annotations: { summary: 'see <http://evil|here>' },
    });
    const msg = slackMessage([a]);
    expect(msg.text).toBe(
      '[FIRING:1] QueueHigh\n:rotating_light: QueueHigh (pool=&lt;!channel&gt; region=a &amp; b): ' +
        'see &lt;http://evil|here&gt;',
    );
    expect(JSON.stringify(msg.blocks)).not.toContain('<!channel>');
  });

  it('stays within Slack limits (50 blocks, 150-character header, 3000-character sections) for any burst', () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      alert(i, {
        annotations: { summary: 'x'.repeat(5_000) },
        labels: { alertname: 'Q'.repeat(200), pool: `p${i}` },
      }),
    );
    const msg = slackMessage(many);
    const blocks = msg.blocks as { type: string; text: { text: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]!.text.text.length).toBeLessThanOrEqual(150);
    for (const b of blocks) expect(b.text.text.length).toBeLessThanOrEqual(3_000);
    expect(blocks.at(-1)!.text.text).toBe('… and 72 more');
    expect(msg.text.split('\n').at(-1)).toBe('… and 72 more');
    expect(msg.text.startsWith('[FIRING:120] ')).toBe(true);
  });

  it('says which URL failed and why when the receiver is unreachable, instead of throwing', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    const n = new WebhookNotifier({ name: 'ops', url, timeoutMs: 5_000, retryDelayMs: 60_000 });
    expect(await n.notify([alert(1)], { expr: 'up' })).toEqual({ ok: true, accepted: 1 });
    const flushed = await n.flush();
    expect(flushed).toMatchObject({ ok: false, undelivered: 1 });
    expect(flushed.error).toBe(`${url}: connect ECONNREFUSED ${new URL(url).host}`);
    expect(n.stats()).toMatchObject({ failedAttempts: 1, queueLength: 1 });
    await n.close();
  });

  it('drops a message the receiver refuses (4xx) instead of retrying it ahead of later ones', async () => {
    const hook = await receiver();
    hook.status = 400;
    const dropped: number[] = [];
    const n = new SlackNotifier({
      name: 'chat',
      url: hook.url,
      retryDelayMs: 20,
      observer: { dropped: (_channel, alerts) => dropped.push(alerts) },
    });
    await n.notify([alert(1), alert(2)], { expr: 'up' });
    const flushed = await n.flush();
    expect(flushed).toMatchObject({ ok: false, undelivered: 2 });
    expect(flushed.error).toMatch(/: HTTP 400 Bad Request$/);
    expect(n.stats()).toMatchObject({ failedAttempts: 1, dropped: 2, queueLength: 0 });
    expect(dropped).toEqual([2]);
    hook.status = 200;
    await n.notify([alert(3)], { expr: 'up' });
    expect(await n.flush()).toEqual({ ok: true, undelivered: 0 });
    expect(hook.bodies).toHaveLength(1);
  });

  it('keeps messages beyond its capacity out by dropping the oldest, counted in alerts', async () => {
    const n = new WebhookNotifier({
      name: 'ops',
      url: 'http://127.0.0.1:9/none',
      queueCapacity: 3,
      retryDelayMs: 60_000,
    });
    await n.notify([alert(1), alert(2)], { expr: 'up' });
    await n.notify([alert(3)], { expr: 'up' });
    await n.notify([alert(4), alert(5)], { expr: 'up' });
    expect(n.stats()).toMatchObject({ dropped: 2, queueLength: 3 });
    await n.close();
  });

  it('waits no longer than maxRetryDelayMs, whatever Retry-After asks for', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        if (requests === 1) res.writeHead(429, { 'retry-after': '3600' }).end();
        else res.writeHead(200).end();
      });
    });
    servers.push(server);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const n = new SlackNotifier({ name: 'chat', url: `http://127.0.0.1:${port}`, maxRetryDelayMs: 50 });
    await n.notify([alert(1)], { expr: 'up' });
    await waitFor(() => n.stats().sent === 1, 15_000);
    expect(requests).toBe(2);
    await n.close();
  });
});

describe('createNotificationChannels', () => {
  it('builds channels by name and rejects invalid or duplicate ones', () => {
    const channels = createNotificationChannels([
      { name: 'am', type: 'alertmanager', urls: ['http://127.0.0.1:9093'] },
      { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:1/hook' },
      { name: 'chat', type: 'slack', url: 'http://127.0.0.1:1/slack' },
    ]);
    expect([...channels.keys()]).toEqual(['am', 'ops', 'chat']);
    expect(() => createNotificationChannels([{ name: 'x', type: 'pager', url: 'http://a' }])).toThrow(
      /invalid notification channels/,
    );
    expect(() =>
      createNotificationChannels([
        { name: 'x', type: 'slack', url: 'http://a' },
        { name: 'x', type: 'slack', url: 'http://b' },
      ]),
    ).toThrow(/defined twice/);
  });

  it('computes the Alertmanager fingerprint of a label set', () => {
    // An empty label set hashes to FNV-1a's offset basis, as in prometheus/common's model.
    expect(alertFingerprint({})).toBe('cbf29ce484222325');
    expect(alertFingerprint({ alertname: 'QueueHigh' })).toMatch(/^[0-9a-f]{16}$/);
  });
});
