/**
 * Test support for the HTTP server kit: a MeterProvider whose data the tests read back, real servers on
 * 127.0.0.1 and raw HTTP over a socket (for methods, versions and aborts a client library would not send).
 */
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Attributes, Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** What one collection holds for the two HTTP server instruments. */
export interface KitData {
  /** Every metric name collected (to show that a disabled kit created nothing). */
  readonly names: readonly string[];
  /** `http.server.request.duration` points. */
  readonly durations: readonly DataPoint<Histogram>[];
  /** `http.server.active_requests` points. */
  readonly active: readonly DataPoint<number>[];
}

/** A meter and a way to read back what it recorded. */
export interface MetricsHarness {
  readonly meter: Meter;
  collect(): Promise<KitData>;
  shutdown(): Promise<void>;
}

/** A MeterProvider with a cumulative in-memory reader. */
export function createMetricsHarness(): MetricsHarness {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('http-server-kit-test'),
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
      const find = (name: string) => metrics.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
      return {
        names: metrics.map((m) => m.descriptor.name),
        durations: find('http.server.request.duration') as DataPoint<Histogram>[],
        active: find('http.server.active_requests') as DataPoint<number>[],
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The number of requests recorded with exactly these attributes (0 when there is no such series). */
export function countWith(data: KitData, attributes: Attributes): number {
  const point = data.durations.find((p) => sameAttributes(p.attributes, attributes));
  return point?.value.count ?? 0;
}

/** Total recorded requests over every series. */
export function totalCount(data: KitData): number {
  return data.durations.reduce((sum, p) => sum + p.value.count, 0);
}

/** Sum of `http.server.active_requests` over every series. */
export function activeTotal(data: KitData): number {
  return data.active.reduce((sum, p) => sum + p.value, 0);
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Starts `server` on an ephemeral port of 127.0.0.1. */
export async function listen(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` every 10 ms, at most `attempts` times; the last result is returned either way. */
export async function waitUntil(check: () => Promise<boolean>, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

/** Sends `request` (raw HTTP/1.x text) and resolves with everything the server sent until it closed. */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let response = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}

/** Opens a socket and sends `request` without ending it; the caller destroys it to abort. */
export function openRequest(port: number, request: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}
