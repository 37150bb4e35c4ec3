import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { MemoryQueue } from './memory-queue.ts';
import { RemoteWriteClient } from './remote-write-client.ts';
import type { RemoteWriteMetrics } from './remote-write-metrics.ts';
import { remoteWriteEndpointSchema } from './remote-write-schema.ts';
import { RemoteWriteSender } from './remote-write-sender.ts';
import { decodeWriteRequest } from './write-request.ts';

const collection = { resource: resourceFromAttributes({}), scopeMetrics: [] } as ResourceMetrics;
const target = { job: 'checkout', instance: 'host-1' };

interface Received {
  readonly at: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: ReturnType<typeof decodeWriteRequest>;
}

type Respond = (request: IncomingMessage, response: ServerResponse, index: number) => void;

const servers: Server[] = [];
const senders: RemoteWriteSender[] = [];
afterEach(async () => {
  await Promise.all(senders.splice(0).map((sender) => sender.stop()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function receiver(respond: Respond) {
  const received: Received[] = [];
  let open = 0;
  let mostOpen = 0;
  let requests = 0;
  const server = createServer((request, response) => {
    const index = requests++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        at: Date.now(),
        headers: request.headers,
        body: decodeWriteRequest(Buffer.concat(chunks)),
      });
      respond(request, response, index);
    });
  });
  server.on('connection', (socket) => {
    mostOpen = Math.max(mostOpen, ++open);
    socket.on('close', () => open--);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return { url, received, mostOpen: () => mostOpen, requests: () => requests };
}

function counting(): RemoteWriteMetrics & { sentTotal: number; failedTotal: number; droppedTotal: number } {
  const counts = { sentTotal: 0, failedTotal: 0, droppedTotal: 0 };
  return Object.assign(counts, {
    sent: (_: string, n: number) => {
      counts.sentTotal += n;
    },
    failed: (_: string, n: number) => {
      counts.failedTotal += n;
    },
    dropped: (_: string, n: number) => {
      counts.droppedTotal += n;
    },
  });
}

function startSender(url: string, overrides: Record<string, unknown> = {}) {
  const endpoint = remoteWriteEndpointSchema.parse({
    url,
    bearerToken: 'secret-token',
    queue: { minBackoffMs: 10, maxBackoffMs: 200, maxSamplesPerSend: 2 },
    ...overrides,
  });
  const metrics = counting();
  const queue = new MemoryQueue(endpoint.queue.capacity, target, (n) => metrics.dropped('test', n));
  const sender = new RemoteWriteSender({
    name: 'test',
    endpoint,
    source: queue,
    client: new RemoteWriteClient(endpoint),
    metrics,
    logger: silentLogger,
  });
  senders.push(sender);
  sender.start();
  return { queue, metrics, sender };
}

async function collect(queue: MemoryQueue, t: number, values: readonly number[]): Promise<void> {
  for (const [i, value] of values.entries()) queue.add({ __name__: 'jobs_total', queue: `q${i}` }, value);
  await queue.collected(t, collection);
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RemoteWriteSender', () => {
  it('sends snappy protobuf with the remote write 1.0 headers, job/instance added, series kept whole', async () => {
    const server = await receiver((_, response) => response.writeHead(204).end());
    const { queue, metrics } = startSender(server.url);
    await collect(queue, 1_000, [1, 2, 3]);
    await until('3 samples sent', () => metrics.sentTotal === 3);
    const headers = server.received[0]!.headers;
    expect(headers['content-encoding']).toBe('snappy');
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(headers.authorization).toBe('Bearer secret-token');
    const series = server.received.flatMap((r) => r.body.timeseries);
    expect(series.map((s) => s.labels)).toContainEqual([
      { name: '__name__', value: 'jobs_total' },
      { name: 'instance', value: 'host-1' },
      { name: 'job', value: 'checkout' },
      { name: 'queue', value: 'q2' },
    ]);
    // maxSamplesPerSend 2: three one-sample series need two requests.
    expect(server.received).toHaveLength(2);
  });

  it('retries 5xx and 429 with backoff, waiting at least what Retry-After asks', async () => {
    const server = await receiver((_, response, index) => {
      if (index === 0) response.writeHead(503).end('overloaded');
      else if (index === 1) response.writeHead(429, { 'Retry-After': '1' }).end('slow down');
      else response.writeHead(200).end();
    });
    const { queue, metrics } = startSender(server.url);
    await collect(queue, 1_000, [7]);
    await until('the sample delivered', () => metrics.sentTotal === 1);
    expect(metrics.failedTotal).toBe(2);
    expect(server.received[2]!.at - server.received[1]!.at).toBeGreaterThanOrEqual(950);
    expect(server.received[2]!.body.timeseries[0]?.samples).toEqual([{ value: 7, timestamp: 1_000 }]);
  });

  it('drops and counts what a 4xx refuses, then goes on with the next samples', async () => {
    const server = await receiver((_, response, index) =>
      index === 0 ? response.writeHead(400).end('out of bounds') : response.writeHead(204).end(),
    );
    const { queue, metrics } = startSender(server.url, { queue: { maxSamplesPerSend: 10 } });
    await collect(queue, 1_000, [1, 2]);
    await until('the refusal counted', () => metrics.droppedTotal === 2);
    await collect(queue, 2_000, [3, 4]);
    await until('the next collection sent', () => metrics.sentTotal === 2);
    expect(server.requests()).toBe(2);
  });

  it('times out on a receiver that never answers, with at most maxConnections connections', async () => {
    const server = await receiver(() => undefined);
    const { queue, metrics } = startSender(server.url, {
      timeoutMs: 300,
      queue: { maxConnections: 2, maxSamplesPerSend: 1, minBackoffMs: 10, maxBackoffMs: 50 },
    });
    await collect(queue, 1_000, [1, 2, 3, 4, 5, 6]);
    await until('requests timed out and retried', () => server.requests() >= 8);
    expect(server.mostOpen()).toBeLessThanOrEqual(2);
    expect(metrics.failedTotal).toBeGreaterThanOrEqual(4);
    expect(metrics.sentTotal).toBe(0);
  });

  it('bounds the memory queue and counts what it drops while the receiver is down', async () => {
    const server = await receiver((_, response) => response.writeHead(503).end());
    const { queue, metrics, sender } = startSender(server.url, {
      queue: { capacity: 10, maxSamplesPerSend: 5 },
    });
    for (let t = 1; t <= 20; t++) await collect(queue, t * 1_000, [t, t]);
    // One batch of 5-6 samples is in flight and retried; the queue holds at most 10 more.
    expect(sender.pendingSamples()).toBeLessThanOrEqual(10 + 6);
    expect(metrics.droppedTotal).toBeGreaterThanOrEqual(40 - 10 - 6);
  });
});
