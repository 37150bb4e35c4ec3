/**
 * A minimal receiver of Alertmanager-style webhook payloads (what yardstick's `webhook` channel sends), so
 * the demo can print alerts as they fire and resolve, and the tests can wait for them.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert of a webhook payload (Alertmanager webhook version 4). */
export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string;
  /** Every alert received so far, in arrival order. */
  readonly alerts: readonly ReceivedAlert[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port; `onAlert` sees each alert as it arrives. */
export async function startWebhookReceiver(
  onAlert: (alert: ReceivedAlert) => void = () => undefined,
): Promise<WebhookReceiver> {
  const alerts: ReceivedAlert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: ReceivedAlert[] };
        for (const alert of payload.alerts ?? []) {
          alerts.push(alert);
          onAlert(alert);
        }
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    alerts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
