/**
 * An in-process service for the remote-write tests: startTelemetry collecting every 250 ms into the embedded
 * store (persisted when `storePath` is given) with one remote-write endpoint, and a recorder that changes a
 * counter, a gauge and a histogram every 50 ms.
 */
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { parseExposition, sampleValue } from './exposition-samples.ts';

/** `job` of every service; its `instance` is given per service, so several can write to one receiver. */
export const SERVICE_JOB = 'shop';
/** `__name__` regex of the series the recorder writes. */
export const SHOP_SERIES = 'shop_.*';

/** A started service. */
export interface WritingService {
  readonly telemetry: Telemetry;
  /** `job` and `instance` of the service, as a scrape of it would label its series. */
  readonly target: { readonly job: string; readonly instance: string };
  /** Stops recording (the telemetry keeps collecting). */
  stopRecording(): void;
  /** A remote-write self-metric from `/metrics` (e.g. `yardstick_remote_write_samples_sent_total`). */
  selfMetric(name: string): Promise<number>;
  shutdown(): Promise<void>;
}

/** Options of {@link startWritingService}. */
export interface WritingServiceOptions {
  /** `service.instance.id`, hence the `instance` label; default `shop-1`. */
  readonly instance?: string;
  /** `store.path`: persistent mode. Unset: memory-only mode. */
  readonly storePath?: string;
  /** The endpoint's `queue.capacity` (memory-only mode's bound). */
  readonly capacity?: number;
  /** The endpoint's `timeoutMs`; default 2 s. */
  readonly timeoutMs?: number;
  /** The endpoint's `queue.maxSamplesPerSend`; default 100. */
  readonly maxSamplesPerSend?: number;
}

/** Starts the service writing to `writeUrl`. */
export async function startWritingService(
  writeUrl: string,
  options: WritingServiceOptions = {},
): Promise<WritingService> {
  const target = { job: SERVICE_JOB, instance: options.instance ?? 'shop-1' };
  const telemetry = await startTelemetry({
    serviceName: target.job,
    resourceAttributes: { 'service.instance.id': target.instance },
    server: { port: 0 },
    metrics: { process: false },
    registerGlobal: false,
    collectIntervalMs: 250,
    histogramBuckets: [0.01, 0.1, 1],
    store: options.storePath === undefined ? {} : { path: options.storePath },
    remoteWrite: [
      {
        url: writeUrl,
        name: 'receiver',
        timeoutMs: options.timeoutMs ?? 2_000,
        queue: {
          maxSamplesPerSend: options.maxSamplesPerSend ?? 100,
          minBackoffMs: 50,
          maxBackoffMs: 1_000,
          capacity: options.capacity ?? 500_000,
        },
      },
    ],
    env: {},
    logger: silentLogger,
  });
  const meter = telemetry.meter('shop');
  const orders = meter.createCounter('shop.orders');
  const depth = meter.createGauge('shop.queue.depth');
  const latency = meter.createHistogram('shop.latency', { unit: 's' });
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    orders.add(1 + (tick % 3), { region: tick % 2 === 0 ? 'eu' : 'us' });
    depth.record(tick % 7);
    latency.record((tick % 11) / 20);
  }, 50);
  return {
    telemetry,
    target,
    stopRecording: () => clearInterval(timer),
    async selfMetric(name) {
      const text = await (await fetch(`${telemetry.url}/metrics`)).text();
      return sampleValue(parseExposition(text), name, { remote_name: 'receiver' }) ?? 0;
    },
    async shutdown() {
      clearInterval(timer);
      await telemetry.shutdown();
    },
  };
}
