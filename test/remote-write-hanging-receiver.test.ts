/**
 * Remote write to a receiver that accepts connections, reads the requests and never answers: through
 * startTelemetry, requests are abandoned at `timeoutMs` and retried, never more than `queue.maxConnections`
 * (2) connections are open at once, the service keeps serving /metrics, and shutdown() closes every
 * connection instead of waiting for the receiver.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWritingService } from './support/remote-write-service.ts';
import { waitFor } from './support/wait-for.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server on 127.0.0.1 that reads everything and writes nothing, counting its connections. */
async function hangingReceiver() {
  const open = new Set<Socket>();
  let mostOpen = 0;
  let accepted = 0;
  let closedByClient = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    open.add(socket);
    mostOpen = Math.max(mostOpen, open.size);
    socket.resume();
    socket.on('close', () => {
      open.delete(socket);
      closedByClient++;
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    stats: () => ({ open: open.size, mostOpen, accepted, closedByClient }),
  };
}

describe('remote write to a receiver that hangs', () => {
  it('times requests out, keeps to maxConnections, and shuts down without waiting for it', async () => {
    const receiver = await hangingReceiver();
    const service = await startWritingService(receiver.url, {
      timeoutMs: 400,
      // A collection (~25 samples) becomes several requests, which could all be in flight at once.
      maxSamplesPerSend: 3,
    });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : service.shutdown()));

    // Several rounds of timeouts: each abandoned request closes its connection and is retried.
    await waitFor(
      'requests to time out and be retried',
      async () =>
        receiver.stats().closedByClient >= 6 &&
        (await service.selfMetric('yardstick_remote_write_samples_failed_total')) > 0
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // Both connections in use at once, and never a third, though a collection is ~9 requests.
    expect(receiver.stats().mostOpen).toBe(2);
    expect(await service.selfMetric('yardstick_remote_write_samples_sent_total')).toBe(0);
    expect(await service.selfMetric('yardstick_remote_write_pending')).toBeGreaterThan(0);
    // The service itself is not held up by the receiver.
    const metrics = await fetch(`${service.telemetry.url}/metrics`);
    expect(metrics.status).toBe(200);

    await service.shutdown();
    stopped = true;
    await waitFor('every connection to the receiver to be closed', () =>
      receiver.stats().open === 0 ? true : undefined,
    );
    expect(receiver.stats().mostOpen).toBeLessThanOrEqual(2);
  }, 60_000);
});
