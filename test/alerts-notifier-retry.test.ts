/**
 * Webhook and Slack receivers that fail for a while: a local HTTP receiver answers 503 (or 429 with
 * `Retry-After`) and then recovers, and the notification still arrives, through the same bounded retry
 * queue as the Alertmanager notifier; a receiver that refuses the payload (4xx) is not retried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AlertSnapshot,
  SlackNotifier,
  WebhookNotifier,
  type WebhookPayload,
} from '@yardstick/alert-evaluator';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './support/wait-for.ts';

/** A receiver on 127.0.0.1 that answers the queued failures first, then 200, and keeps what it accepted. */
interface FlakyReceiver {
  readonly url: string;
  /** Answers still to give before accepting, e.g. `[503, 503]`. */
  readonly failures: { status: number; headers?: Record<string, string> }[];
  readonly accepted: unknown[];
  requests: number;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function flakyReceiver(failures: FlakyReceiver['failures']): Promise<FlakyReceiver> {
  const receiver = { url: '', failures, accepted: [] as unknown[], requests: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      receiver.requests++;
      const failure = receiver.failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure.status, failure.headers).end();
        return;
      }
      receiver.accepted.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

const firing: AlertSnapshot = {
  rule: 'QueueBacklog',
  state: 'firing',
  labels: { alertname: 'QueueBacklog', queue: 'mail', severity: 'warning' },
  annotations: { summary: 'Queue mail holds 42 items' },
  value: 42,
  activeAt: Date.UTC(2026, 0, 5, 12, 0, 0),
  firedAt: Date.UTC(2026, 0, 5, 12, 1, 0),
  resolvedAt: undefined,
  validUntil: undefined,
};

/** Short delays so a test is quick; the waits below are bounded generously for a busy machine. */
const fastRetry = { retryDelayMs: 20, maxRetryDelayMs: 200 };

describe('webhook and Slack delivery while the receiver fails', () => {
  it('retries a webhook answering 503 until it recovers, and the payload arrives once', async () => {
    const receiver = await flakyReceiver([{ status: 503 }, { status: 503 }]);
    const dropped: number[] = [];
    const webhook = new WebhookNotifier({
      name: 'oncall',
      url: receiver.url,
      ...fastRetry,
      observer: { dropped: (_channel, alerts) => dropped.push(alerts) },
    });
    try {
      expect(await webhook.notify([firing], { expr: 'queue_depth > 10' })).toEqual({ ok: true, accepted: 1 });
      await waitFor(
        'the webhook payload delivered after two 503 answers',
        () => (webhook.stats().sent > 0 ? true : undefined),
        { timeoutMs: 20_000 },
      );
      expect(receiver.accepted).toHaveLength(1);
      expect(receiver.accepted[0] as WebhookPayload).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'oncall',
        alerts: [{ status: 'firing', labels: firing.labels }],
      });
      expect(receiver.requests).toBe(3);
      expect(webhook.stats()).toEqual({ sent: 1, failedAttempts: 2, dropped: 0, queueLength: 0 });
      expect(dropped).toEqual([]);
    } finally {
      await webhook.close();
    }
  });

  it('retries a Slack webhook rate-limiting with 429 and Retry-After, and the message arrives', async () => {
    const receiver = await flakyReceiver([{ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }]);
    const slack = new SlackNotifier({ name: 'chat', url: receiver.url, ...fastRetry });
    try {
      await slack.notify([firing], { expr: 'queue_depth > 10' });
      await waitFor(
        'the Slack message delivered after a 429 and a 503',
        () => (slack.stats().sent > 0 ? true : undefined),
        { timeoutMs: 20_000 },
      );
      expect(receiver.accepted).toHaveLength(1);
      expect((receiver.accepted[0] as { text: string }).text).toBe(
        '[FIRING:1] QueueBacklog\n:rotating_light: QueueBacklog: Queue mail holds 42 items',
      );
      expect(slack.stats()).toEqual({ sent: 1, failedAttempts: 2, dropped: 0, queueLength: 0 });
    } finally {
      await slack.close();
    }
  });

  it('does not retry a payload the webhook refuses (400): it is dropped and counted', async () => {
    const receiver = await flakyReceiver([{ status: 400 }]);
    const dropped: number[] = [];
    const webhook = new WebhookNotifier({
      name: 'oncall',
      url: receiver.url,
      ...fastRetry,
      observer: { dropped: (_channel, alerts) => dropped.push(alerts) },
    });
    try {
      await webhook.notify([firing], { expr: 'queue_depth > 10' });
      const flushed = await webhook.flush();
      expect(flushed).toEqual({ ok: false, undelivered: 1, error: `${receiver.url}: HTTP 400 Bad Request` });
      expect(webhook.stats()).toEqual({ sent: 0, failedAttempts: 1, dropped: 1, queueLength: 0 });
      expect(dropped).toEqual([1]);
      // The next notification is delivered: the refused one does not hold the queue.
      await webhook.notify([{ ...firing, value: 43 }], { expr: 'queue_depth > 10' });
      expect(await webhook.flush()).toEqual({ ok: true, undelivered: 0 });
      expect(receiver.requests).toBe(2);
      expect(receiver.accepted).toHaveLength(1);
    } finally {
      await webhook.close();
    }
  });
});
