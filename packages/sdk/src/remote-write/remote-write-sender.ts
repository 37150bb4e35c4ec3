/**
 * The delivery loop of one remote-write endpoint: takes a batch from its source, sends it as requests of
 * whole series (so a series' samples never race each other), at most `maxConnections` at once, retries
 * retryable failures with exponential backoff (Retry-After honoured), drops what the receiver refuses for
 * good, and only then acknowledges the batch. Never throws.
 */
import type { Logger } from '../logging/logger.ts';
import type { RemoteWriteBatch, RemoteWriteSource } from './remote-write-batch.ts';
import type { RemoteWriteClient, SendResult } from './remote-write-client.ts';
import type { RemoteWriteMetrics } from './remote-write-metrics.ts';
import type { RemoteWriteEndpointConfig } from './remote-write-schema.ts';
import { encodeWriteRequest, type WireMetadata, type WireSeries } from './write-request.ts';

/** A Retry-After longer than this is capped: a misbehaving receiver must not park the queue for hours. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
/** How long the loop sleeps when caught up and no collection wakes it. */
const IDLE_POLL_MS = 1_000;

/** Options of a {@link RemoteWriteSender}. */
export interface RemoteWriteSenderOptions {
  readonly name: string;
  readonly endpoint: RemoteWriteEndpointConfig;
  readonly source: RemoteWriteSource;
  readonly client: RemoteWriteClient;
  readonly metrics: RemoteWriteMetrics;
  readonly logger: Logger;
}

/** Sends one endpoint's samples until stopped. */
export class RemoteWriteSender {
  readonly #options: RemoteWriteSenderOptions;
  #highestSentMs = 0;
  #stopped = false;
  /** Wakes the idle wait when a collection brings samples (never a backoff wait). */
  #wakeIdle: (() => void) | undefined;
  /** Every wait in progress, so that stop() ends them all. */
  readonly #sleepers = new Set<() => void>();
  #loop: Promise<void> | undefined;
  #metadata: readonly WireMetadata[] | undefined;
  #failing = false;

  constructor(options: RemoteWriteSenderOptions) {
    this.#options = options;
    options.source.onAvailable(() => this.#wakeIdle?.());
  }

  /** The endpoint's name (logs, self-metrics). */
  get name(): string {
    return this.#options.name;
  }

  /** Samples not yet delivered. */
  pendingSamples(): number {
    return this.#options.source.pendingSamples();
  }

  /** Newest timestamp delivered, ms. */
  highestSentTimestampMs(): number {
    return this.#highestSentMs;
  }

  /** Starts the loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Metric metadata to send with the next request (sent again every `metadataIntervalMs` by the owner). */
  queueMetadata(metadata: readonly WireMetadata[]): void {
    this.#metadata = metadata;
    this.#wakeIdle?.();
  }

  /** Stops, abandoning requests in flight; undelivered samples stay in the source (on disk with store.path). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of [...this.#sleepers]) wake();
    // Destroys the sockets in use as well: a request to a receiver that hangs ends now, not at its timeout.
    this.#options.client.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { source, endpoint } = this.#options;
    while (!this.#stopped) {
      try {
        if (this.#metadata !== undefined) {
          const metadata = this.#metadata;
          this.#metadata = undefined;
          await this.#sendMetadata(metadata);
        }
        const batch = source.next(endpoint.queue.maxSamplesPerSend * endpoint.queue.maxConnections);
        if (batch === undefined) {
          await this.#sleep(IDLE_POLL_MS, true);
          continue;
        }
        if (await this.#deliver(batch)) {
          batch.ack();
          if (batch.maxTimestampMs > this.#highestSentMs) this.#highestSentMs = batch.maxTimestampMs;
        }
      } catch (error) {
        // A read of the persisted history failed (the database closed under us at shutdown, or I/O): wait and
        // read again rather than end the loop.
        this.#options.logger.warn(
          { remote_name: this.name, err: error },
          'remote write: reading samples failed',
        );
        await this.#sleep(endpoint.queue.maxBackoffMs, false);
      }
    }
  }

  /** Sends every request of `batch`; false when stopped before all were delivered or dropped. */
  async #deliver(batch: RemoteWriteBatch): Promise<boolean> {
    const requests = splitIntoRequests(batch.series, this.#options.endpoint.queue.maxSamplesPerSend);
    let next = 0;
    let complete = true;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        if (!(await this.#sendWithRetries(request.series, request.samples))) complete = false;
      }
    };
    const workers = Math.min(this.#options.endpoint.queue.maxConnections, requests.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return complete;
  }

  /** True when delivered or dropped for good; false when stopped while retrying. */
  async #sendWithRetries(series: readonly WireSeries[], samples: number): Promise<boolean> {
    const { client, metrics, endpoint, logger } = this.#options;
    const body = encodeWriteRequest(series);
    let backoff = endpoint.queue.minBackoffMs;
    for (;;) {
      if (this.#stopped) return false;
      const result = await client.send(body);
      if (result.ok) {
        metrics.sent(this.name, samples);
        if (this.#failing) logger.info({ remote_name: this.name }, 'remote write: endpoint accepts again');
        this.#failing = false;
        return true;
      }
      if (!result.retryable) {
        metrics.dropped(this.name, samples);
        logger.warn(
          { remote_name: this.name, status: result.status, samples, reason: result.reason },
          'remote write: the endpoint refused samples for good; they are dropped',
        );
        return true;
      }
      metrics.failed(this.name, samples);
      this.#logFailure(result);
      const wait = Math.min(Math.max(backoff, result.retryAfterMs ?? 0), MAX_RETRY_AFTER_MS);
      backoff = Math.min(backoff * 2, endpoint.queue.maxBackoffMs);
      await this.#sleep(wait, false);
    }
  }

  async #sendMetadata(metadata: readonly WireMetadata[]): Promise<void> {
    const result = await this.#options.client.send(encodeWriteRequest([], metadata));
    if (!result.ok)
      this.#options.logger.debug(
        { remote_name: this.name, status: result.status, reason: result.reason },
        'remote write: metadata not accepted; sent again at the next interval',
      );
  }

  /** The first failure of a run is a warning; retries of it are debug, so an outage logs once. */
  #logFailure(result: SendResult & { ok: false }): void {
    const fields = { remote_name: this.name, status: result.status, reason: result.reason };
    if (this.#failing) this.#options.logger.debug(fields, 'remote write: retrying');
    else this.#options.logger.warn(fields, 'remote write: request failed; retrying with backoff');
    this.#failing = true;
  }

  /** Waits `ms`, or less when stopped, or (when `idle`) when new samples arrive. */
  #sleep(ms: number, idle: boolean): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        if (this.#wakeIdle === done) this.#wakeIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#sleepers.add(done);
      if (idle) this.#wakeIdle = done;
    });
  }
}

/** Groups series into requests of about `maxSamples` samples, a series never split. */
export function splitIntoRequests(
  series: readonly WireSeries[],
  maxSamples: number,
): Array<{ series: WireSeries[]; samples: number }> {
  const requests: Array<{ series: WireSeries[]; samples: number }> = [];
  let current: WireSeries[] = [];
  let samples = 0;
  for (const entry of series) {
    if (samples > 0 && samples + entry.samples.length > maxSamples) {
      requests.push({ series: current, samples });
      current = [];
      samples = 0;
    }
    current.push(entry);
    samples += entry.samples.length;
  }
  if (samples > 0) requests.push({ series: current, samples });
  return requests;
}
