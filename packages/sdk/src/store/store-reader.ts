/**
 * Feeds the embedded `SampleStore`: a `MetricReader` that collects on the scrape interval and appends the
 * series under the same names and labels `/metrics` shows, so a PromQL query or rule means the same thing
 * here and against a Prometheus that scrapes the service. Series that disappear get a staleness marker, as
 * Prometheus writes one when a target stops exposing a series.
 */
import { AggregationTemporality, MetricReader } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { type Labels, type SampleStore, STALE_NAN } from '@yardstick/promql';
import { collectIncrementally } from '../exposition/incremental-collect.ts';
import type { Logger } from '../logging/logger.ts';
import {
  collectionSamples,
  type MetricMetadata,
  scrapeTargetLabels,
  type TargetLabels,
  type WarnOnce,
} from './collection-samples.ts';
import type { CollectionSink } from './collection-sink.ts';
import type { ExemplarStore } from './exemplar-store.ts';
import { VanishedSeriesTracker } from './vanished-series-tracker.ts';

/** Options of {@link StoreReader}. */
export interface StoreReaderOptions {
  readonly store: SampleStore;
  /** Collection interval (the embedded "scrape interval"). */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Where the exemplars of counters and histogram buckets go (`/api/v1/query_exemplars`); none if absent. */
  readonly exemplars?: ExemplarStore | undefined;
  /** Also receive every sample the store accepted (persistence, remote write), in this order. */
  readonly sinks?: readonly CollectionSink[] | undefined;
  /**
   * The `instance` label of every series, read at each collection; the resource's `service.instance.id`
   * when absent or when it returns undefined. `startTelemetry` gives the telemetry server's address, as a
   * scrape labels a target, unless `service.instance.id` is configured: the generated id is new at every
   * start and would split every series, and the state of alerts, at each restart.
   */
  readonly instance?: (() => string | undefined) | undefined;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/**
 * How long (ms) a collection may hold the event loop before it takes a `setImmediate` turn, in the SDK
 * collection and in the appends alike. measured (bench/store-collection.ts, 2-core machine, half counters
 * and half 11-bucket histograms): one synchronous pass held the loop 559 ms at 10k series (75k store series)
 * and 5.5 s at 100k (750k store series), 855 ms and 9.4 s on the first collection, which creates every
 * series. In 10 ms slices the longest block of a later collection was 17 ms at 10k and 27 ms at 100k series,
 * of the first one 58 ms and 167 ms: at 750k new store series the store's Maps grew past 2^19 entries, a
 * V8 rehash of ~70–110 ms per Map (the store now shards them, see ShardedMap). What remains at 750k series
 * is V8's final marking pause of a heap that large (31–35 ms, --trace-gc), which can land inside a slice:
 * 5 ms slices keep slice plus pause under 50 ms.
 */
const MAX_SLICE_MS = 5;
/**
 * Samples appended between two clock reads. An append costs ~7 µs (more when it creates the series), so
 * 64 of them overrun a slice by well under 1 ms while the clock is read for one sample in 64.
 */
const SAMPLES_PER_CLOCK_READ = 64;

/**
 * The embedded store's reader. Uses cumulative temporality (the store holds counters as Prometheus does).
 * A collection gives the event loop a turn every {@link MAX_SLICE_MS} ms, so it can span many turns; the
 * interval timer skips a tick while one is running, and all its samples carry the time it started at.
 */
export class StoreReader extends MetricReader {
  readonly #options: StoreReaderOptions;
  #timer: NodeJS.Timeout | undefined;
  readonly #tracker = new VanishedSeriesTracker();
  readonly #warned = new Set<string>();
  readonly #warnOnce: WarnOnce = (key, message) => {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.logger.warn({ reader: 'store' }, message);
  };
  #lastTimestamp = Number.NEGATIVE_INFINITY;
  #gridOrigin: number | undefined;
  /** The collection in progress. */
  #running: Promise<void> | undefined;
  /** The collection that starts when the running one ends, shared by the `scrape()` calls made meanwhile. */
  #queued: Promise<void> | undefined;
  /** The metadata of the last collection's families, by family name. */
  #metadata: ReadonlyMap<string, MetricMetadata> = new Map();
  /** The target of the last collection, for the `up` of one that fails before it knows its resource. */
  #target: TargetLabels | undefined;
  /** When the last collection started (epoch ms), or undefined before the first. */
  #lastCollectionMs: number | undefined;

  constructor(options: StoreReaderOptions) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    this.#options = options;
  }

  protected override onInitialized(): void {
    this.#gridOrigin = (this.#options.now ?? Date.now)();
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
    // A telemetry timer must never keep the process alive on its own.
    this.#timer.unref();
  }

  /**
   * Collects now and appends to the store. A call made while a collection runs waits for it and then
   * collects again, so what was recorded before the call is in the store when it resolves; calls made during
   * the same collection share that next one. Never rejects.
   */
  scrape(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.#start();
    });
    return this.#queued;
  }

  /** Type, help and unit of every metric family of the last collection, by family name (as Prometheus keys them). */
  metadata(): ReadonlyMap<string, MetricMetadata> {
    return this.#metadata;
  }

  /** When the last collection started (epoch ms), or undefined before the first. */
  get lastCollectionMs(): number | undefined {
    return this.#lastCollectionMs;
  }

  /** A tick of the interval: a collection still running is not started a second time. */
  #tick(): void {
    if (this.#running !== undefined) {
      this.#options.logger.debug(
        { reader: 'store', intervalMs: this.#options.intervalMs },
        'store collection still running at the next interval; this tick is skipped',
      );
      return;
    }
    void this.#start();
  }

  #start(): Promise<void> {
    const run = this.#scrapeOnce().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #scrapeOnce(): Promise<void> {
    const { store, logger } = this.#options;
    let now: number | undefined;
    try {
      // The time the collection starts at, for every sample of it, as Prometheus stamps a scrape with its
      // start: the collection spans many event-loop turns, and the timer tick is what lands on the grid.
      now = this.#sampleTime((this.#options.now ?? Date.now)());
      this.#lastCollectionMs = now;
      const { resourceMetrics, errors } = await collectIncrementally(this, { maxSliceMs: MAX_SLICE_MS });
      if (errors.length) logger.warn({ errors: errors.map(String) }, 'store collection had errors');
      const target = scrapeTargetLabels(resourceMetrics.resource.attributes, this.#options.instance?.());
      this.#target = target;
      const metadata = new Map<string, MetricMetadata>();
      // The collection's last slice may have just used up its time: the appends start with a fresh one.
      const slice = new LoopSlice(MAX_SLICE_MS);
      await slice.turn();
      let rejected = 0;
      let appended = 0;
      const exemplarStore = this.#options.exemplars;
      const sinks = this.#options.sinks ?? [];
      for (const { labels, value, histogram, exemplars } of collectionSamples(
        resourceMetrics,
        this.#warnOnce,
        metadata,
        target,
      )) {
        this.#tracker.see(labels);
        if (histogram !== undefined) {
          if (!store.appendHistogram(labels, now, histogram)) rejected++;
          else for (const sink of sinks) sink.addHistogram?.(labels, histogram);
        } else if (!store.append(labels, now, value)) rejected++;
        else for (const sink of sinks) sink.add(labels, value);
        if (exemplars !== undefined && exemplarStore !== undefined) {
          for (const e of exemplars)
            exemplarStore.append(labels, {
              value: e.value,
              timeMs: e.timeUnixMs,
              traceId: e.traceId,
              spanId: e.spanId,
            });
        }
        if (++appended % SAMPLES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
      }
      let marked = 0;
      for (const labels of await this.#tracker.finish(slice)) {
        if (store.appendStaleMarker(labels, now)) for (const sink of sinks) sink.add(labels, STALE_NAN);
        if (++marked % SAMPLES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
      }
      this.#metadata = metadata;
      const up = this.#appendUp(now, 1);
      if (up !== undefined) for (const sink of sinks) sink.add(up, 1);
      if (rejected) logger.debug({ rejected }, 'store rejected out-of-order samples');
      for (const sink of sinks) await sink.collected(now, resourceMetrics, slice);
      if (slice.due) await slice.turn();
      store.enforceRetention();
    } catch (error) {
      logger.warn({ err: error }, 'store collection failed');
      if (now !== undefined) this.#appendUp(now, 0);
    }
  }

  /**
   * `up` of the process's own collection, as Prometheus records it for every scrape: 1 when the collection
   * succeeded, 0 when it failed. Labeled with the target alone, as Prometheus's is. Returns the labels when
   * the store took the sample.
   */
  #appendUp(now: number, value: number): Labels | undefined {
    const target = this.#target;
    if (target === undefined) return undefined;
    const labels: Record<string, string> = { __name__: 'up' };
    if (target.job !== '') labels.job = target.job;
    if (target.instance !== '') labels.instance = target.instance;
    return this.#options.store.append(labels, now, value) ? labels : undefined;
  }

  /**
   * Periodic samples get their scheduled time when the timer fired within a small tolerance of it, as
   * Prometheus's scrape loop does: timers fire a few ms late, and that jitter alone would double the store's
   * bytes per sample (delta-of-delta encoding). Other collections (forceFlush) keep the real time.
   */
  #sampleTime(now: number): number {
    const { intervalMs } = this.#options;
    this.#gridOrigin ??= now;
    const scheduled = this.#gridOrigin + Math.floor((now - this.#gridOrigin) / intervalMs) * intervalMs;
    const tolerance = Math.max(25, intervalMs / 100);
    let t = now - scheduled <= tolerance ? scheduled : now;
    if (t <= this.#lastTimestamp) t = Math.max(now, this.#lastTimestamp + 1);
    this.#lastTimestamp = t;
    return t;
  }

  protected override async onForceFlush(): Promise<void> {
    await this.scrape();
  }

  /** Stops the timer and lets a collection in progress (and one queued behind it) finish. */
  protected override async onShutdown(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await (this.#queued ?? this.#running);
  }
}
