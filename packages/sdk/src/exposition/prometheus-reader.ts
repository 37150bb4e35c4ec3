/**
 * The pull reader behind `/metrics`: collects on demand with cumulative temporality and streams the
 * exposition in chunks, yielding to the event loop between them.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { AggregationTemporality, MetricReader, type MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import type { SummaryScopeMetrics } from '@yardstick/metrics-core';
import {
  type ExpositionOptions,
  ExpositionSerializer,
  type TextExpositionFormat,
} from './exposition-serializer.ts';
import { collectIncrementally } from './incremental-collect.ts';
import { type ExpositionFormat, type NegotiatedExposition, negotiateExposition } from './negotiate.ts';
import { ProtobufExpositionSerializer } from './protobuf-exposition.ts';

/** Options of {@link PrometheusReader}. */
export interface PrometheusReaderOptions extends ExpositionOptions {
  /** Default aggregation per instrument type (e.g. other histogram buckets). */
  readonly aggregationSelector?: MetricReaderOptions['aggregationSelector'];
  /** Series limit per instrument type (the SDK default is 2000). */
  readonly cardinalitySelector?: MetricReaderOptions['cardinalitySelector'];
  /** Extra producers whose metrics join every collection. */
  readonly metricProducers?: MetricReaderOptions['metricProducers'];
  /**
   * How long (ms) serializing may hold the event loop before it gives the loop a turn between two chunks
   * (default 4); 0 gives a turn after every chunk.
   */
  readonly maxSliceMs?: number | undefined;
}

const DEFAULT_MAX_SLICE_MS = 4;

/** Where summaries come from: a `CoreMeterProvider` (metrics-core) is one. */
export interface SummarySource {
  collectSummaries(): Promise<readonly SummaryScopeMetrics[]>;
}

async function* yieldingToEventLoop<Chunk extends string | Uint8Array>(
  chunks: Iterable<Chunk>,
  maxSliceMs: number,
): AsyncGenerator<Chunk, void, undefined> {
  let sliceStart = performance.now();
  for (const chunk of chunks) {
    // An empty chunk is the serializer offering a turn in the middle of a large family.
    if (chunk.length > 0) yield chunk;
    // measured: a setImmediate turn after every 64 KiB chunk cost ~15% of a 10k-series scrape; turning once
    // the slice has run `maxSliceMs` keeps every block that short and drops most of the turns.
    if (performance.now() - sliceStart >= maxSliceMs) {
      // setImmediate, not a resolved promise: it lets timers and I/O run.
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}

/**
 * A `MetricReader` for Prometheus pull: register it on a `MeterProvider` (or `NodeSDK`'s `metricReaders`)
 * and serve {@link PrometheusReader.render} from `/metrics`. Temporality is always cumulative, as
 * Prometheus expects.
 *
 * @example
 * ```ts
 * const reader = new PrometheusReader();
 * const provider = new MeterProvider({ readers: [reader] });
 * http.createServer(async (req, res) => {
 *   const { format, contentType } = reader.negotiate(req.headers.accept);
 *   res.writeHead(200, { 'content-type': contentType });
 *   for await (const chunk of await reader.render(format)) res.write(chunk);
 *   res.end();
 * });
 * ```
 */
export class PrometheusReader extends MetricReader {
  readonly #serializer: ExpositionSerializer;
  readonly #protobuf: ProtobufExpositionSerializer;
  readonly #maxSliceMs: number;
  readonly #summarySources: SummarySource[] = [];

  constructor(options: PrometheusReaderOptions = {}) {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      ...(options.aggregationSelector ? { aggregationSelector: options.aggregationSelector } : {}),
      ...(options.cardinalitySelector ? { cardinalitySelector: options.cardinalitySelector } : {}),
      ...(options.metricProducers ? { metricProducers: options.metricProducers } : {}),
    });
    this.#serializer = new ExpositionSerializer(options);
    this.#protobuf = new ProtobufExpositionSerializer(options);
    this.#maxSliceMs = options.maxSliceMs ?? DEFAULT_MAX_SLICE_MS;
  }

  /**
   * Adds the summaries of `source` (yardstick's extension instrument, which no sdk-metrics producer carries)
   * to every exposition, as Prometheus summary families. `startTelemetry` adds its core.
   */
  addSummarySource(source: SummarySource): void {
    this.#summarySources.push(source);
  }

  /** Picks text 0.0.4, OpenMetrics 1.0.0 or protobuf for an `Accept` header (see {@link negotiateExposition}). */
  negotiate(accept: string | undefined): NegotiatedExposition {
    return negotiateExposition(accept);
  }

  /**
   * Collects once, then yields the exposition in ~64 KiB chunks: strings for the text formats, bytes for
   * protobuf. Both steps give the event loop a
   * `setImmediate` turn once they have held it for a slice: the collection after ~10 ms, between two
   * instruments or inside one of 4096 series or more (it returns the same data as `collect()`), the
   * serialization between chunks after `maxSliceMs`, so 100k series never hold the loop for the whole
   * rendering. Rejects when the reader is not registered on a `MeterProvider` or is shut down; errors of
   * single callbacks are logged through `diag` and the rest of the collection is still served.
   */
  render(format: TextExpositionFormat): Promise<AsyncIterable<string>>;
  render(format: 'protobuf'): Promise<AsyncIterable<Uint8Array>>;
  render(format: ExpositionFormat): Promise<AsyncIterable<string | Uint8Array>>;
  async render(format: ExpositionFormat): Promise<AsyncIterable<string | Uint8Array>> {
    const { resourceMetrics, errors } = await collectIncrementally(this);
    for (const error of errors) diag.error('Prometheus exposition: collection error', error);
    const summaries: SummaryScopeMetrics[] = [];
    for (const source of this.#summarySources) summaries.push(...(await source.collectSummaries()));
    if (format === 'protobuf') {
      return yieldingToEventLoop(this.#protobuf.chunks(resourceMetrics, summaries), this.#maxSliceMs);
    }
    return yieldingToEventLoop(this.#serializer.chunks(resourceMetrics, format, summaries), this.#maxSliceMs);
  }

  protected override onForceFlush(): Promise<void> {
    // Pull reader: nothing is buffered between scrapes.
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
