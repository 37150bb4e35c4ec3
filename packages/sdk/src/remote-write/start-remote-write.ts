/**
 * Wires the `remoteWrite` endpoints: one sender per endpoint, fed from the persisted history when
 * `store.path` is set and from a bounded memory queue otherwise, plus their self-metrics and the periodic
 * metric metadata.
 */

import type { DatabaseSync } from 'node:sqlite';
import type { Meter } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { collectFamilies } from '../exposition/metric-families.ts';
import type { Logger } from '../logging/logger.ts';
import type { CollectionSink } from '../store/collection-sink.ts';
import { MemoryQueue } from './memory-queue.ts';
import { PersistedHistory } from './persisted-history.ts';
import type { RemoteWriteSource, TargetLabels } from './remote-write-batch.ts';
import { RemoteWriteClient } from './remote-write-client.ts';
import { createRemoteWriteMetrics } from './remote-write-metrics.ts';
import type { RemoteWriteEndpointConfig } from './remote-write-schema.ts';
import { RemoteWriteSender } from './remote-write-sender.ts';
import type { WireMetadata } from './write-request.ts';

/** Options of {@link startRemoteWrite}. */
export interface StartRemoteWriteOptions {
  readonly endpoints: readonly RemoteWriteEndpointConfig[];
  readonly resource: Resource;
  readonly meter: Meter;
  readonly logger: Logger;
  /** The store's collection interval: persisted history is read a few intervals per batch. */
  readonly collectIntervalMs: number;
  /** The persistent store's database, when `store.path` is set. */
  readonly database?: DatabaseSync | undefined;
}

/** Running remote write. */
export interface RunningRemoteWrite {
  /** Sinks for the store reader, after the persistence sink. */
  readonly sinks: readonly CollectionSink[];
  /** Stops every sender; undelivered samples stay on disk (with store.path) or are lost (memory only). */
  stop(): Promise<void>;
}

/**
 * `job` and `instance` as the OTel specification maps them for Prometheus: `service.namespace/service.name`
 * (or `service.name`) and `service.instance.id`.
 */
export function targetLabelsOf(resource: Resource): TargetLabels {
  const attributes = resource.attributes;
  const name = String(attributes['service.name'] ?? '');
  const namespace = attributes['service.namespace'];
  return {
    job: namespace === undefined || namespace === '' ? name : `${String(namespace)}/${name}`,
    instance: String(attributes['service.instance.id'] ?? ''),
  };
}

/** Starts a sender per endpoint. An endpoint whose TLS files cannot be read is reported and left out. */
export function startRemoteWrite(options: StartRemoteWriteOptions): RunningRemoteWrite {
  const { endpoints, resource, meter, logger, collectIntervalMs, database } = options;
  const target = targetLabelsOf(resource);
  const senders: RemoteWriteSender[] = [];
  const metrics = createRemoteWriteMetrics(meter, () => senders);
  const sinks: CollectionSink[] = [];
  endpoints.forEach((endpoint, index) => {
    const name = endpoint.name ?? `remote-write-${index + 1}`;
    let client: RemoteWriteClient;
    try {
      client = new RemoteWriteClient(endpoint);
    } catch (error) {
      logger.error(
        { remote_name: name, err: error },
        'remote write: endpoint left out (its TLS files cannot be read)',
      );
      return;
    }
    let source: RemoteWriteSource & CollectionSink;
    if (database === undefined) {
      source = new MemoryQueue(endpoint.queue.capacity, target, (samples) => metrics.dropped(name, samples));
    } else {
      source = new PersistedHistory(database, name, target, 10 * collectIntervalMs);
    }
    const sender = new RemoteWriteSender({ name, endpoint, source, client, metrics, logger });
    sinks.push(source, new MetadataSink(sender, endpoint.metadataIntervalMs));
    senders.push(sender);
    sender.start();
  });
  return {
    sinks,
    async stop() {
      await Promise.all(senders.map((sender) => sender.stop()));
    },
  };
}

/** Hands the sender the families' metadata after a collection, at most once per interval. */
class MetadataSink implements CollectionSink {
  readonly #sender: RemoteWriteSender;
  readonly #intervalMs: number;
  #lastSentMs = Number.NEGATIVE_INFINITY;

  constructor(sender: RemoteWriteSender, intervalMs: number) {
    this.#sender = sender;
    this.#intervalMs = intervalMs;
  }

  add(): void {}

  async collected(timestampMs: number, resourceMetrics: ResourceMetrics): Promise<void> {
    if (timestampMs - this.#lastSentMs < this.#intervalMs) return;
    this.#lastSentMs = timestampMs;
    const families = collectFamilies(resourceMetrics, {
      targetInfo: true,
      scopeLabels: true,
      // The store reader already reported these clashes.
      warnOnce: () => undefined,
    });
    const metadata: WireMetadata[] = families.map((family) => ({
      type: family.type,
      familyName: family.name,
      help: family.help,
      unit: family.unit,
    }));
    this.#sender.queueMetadata(metadata);
  }
}
