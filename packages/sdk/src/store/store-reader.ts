/**
 * Feeds the embedded `SampleStore`: a `MetricReader` that collects on the scrape interval and appends the
 * series under the same names and labels `/metrics` shows, so a PromQL query or rule means the same thing
 * here and against a Prometheus that scrapes the service. Series that disappear get a staleness marker, as
 * Prometheus writes one when a target stops exposing a series.
 */
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Labels, SampleStore } from '@yardstick/promql';
import { attributeLabels, resourceTargetLabels } from '../exposition/attribute-labels.ts';
import { formatValue } from '../exposition/format-value.ts';
import { prometheusName } from '../exposition/metric-name.ts';
import type { Logger } from '../logging/logger.ts';

/** Options of {@link StoreReader}. */
export interface StoreReaderOptions {
  readonly store: SampleStore;
  /** Collection interval (the embedded "scrape interval"). */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Clock, for tests. */
  readonly now?: () => number;
}

type Sink = (labels: Labels, value: number) => void;

function pushHistogram(name: string, base: Record<string, string>, metric: MetricData, sink: Sink): void {
  if (metric.dataPointType !== DataPointType.HISTOGRAM) return;
  for (const point of metric.dataPoints) {
    const labels = { ...base, ...attributeLabels(point.attributes, true) };
    const { boundaries, counts } = point.value.buckets;
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i]!;
      const le = i < boundaries.length ? formatValue(boundaries[i]!) : '+Inf';
      sink({ ...labels, __name__: `${name}_bucket`, le }, cumulative);
    }
    sink({ ...labels, __name__: `${name}_sum` }, point.value.sum ?? 0);
    sink({ ...labels, __name__: `${name}_count` }, point.value.count);
  }
}

/** Appends one collection to the store through `sink`. */
export function appendCollection(resourceMetrics: ResourceMetrics, sink: Sink): void {
  sink({ __name__: 'target_info', ...resourceTargetLabels(resourceMetrics.resource.attributes) }, 1);
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    const base: Record<string, string> = { otel_scope_name: scope.name };
    if (scope.version) base.otel_scope_version = scope.version;
    for (const metric of metrics) {
      const { descriptor } = metric;
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        pushHistogram(prometheusName(descriptor.name, descriptor.unit, 'histogram').name, base, metric, sink);
        continue;
      }
      if (metric.dataPointType !== DataPointType.SUM && metric.dataPointType !== DataPointType.GAUGE)
        continue;
      const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
      const { name } = prometheusName(descriptor.name, descriptor.unit, counter ? 'counter' : 'gauge');
      for (const point of metric.dataPoints) {
        sink({ ...base, ...attributeLabels(point.attributes, false), __name__: name }, point.value);
      }
    }
  }
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/**
 * Tracks which series one collection reported, to find those the previous collection had and this one
 * lacks (they get a staleness marker).
 */
export class VanishedSeriesTracker {
  #previous = new Map<string, Labels>();
  #current = new Map<string, Labels>();

  /** Notes a series of the collection in progress. */
  see(labels: Labels): void {
    this.#current.set(seriesKey(labels), labels);
  }

  /** Ends the collection in progress; returns the series that vanished since the previous one. */
  finish(): Labels[] {
    const vanished: Labels[] = [];
    for (const [key, labels] of this.#previous) if (!this.#current.has(key)) vanished.push(labels);
    this.#previous = this.#current;
    this.#current = new Map();
    return vanished;
  }
}

/**
 * The embedded store's reader. Uses cumulative temporality (the store holds counters as Prometheus does).
 */
export class StoreReader extends MetricReader {
  readonly #options: StoreReaderOptions;
  #timer: NodeJS.Timeout | undefined;
  readonly #tracker = new VanishedSeriesTracker();
  #lastTimestamp = Number.NEGATIVE_INFINITY;
  #gridOrigin: number | undefined;
  #collecting: Promise<void> | undefined;

  constructor(options: StoreReaderOptions) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    this.#options = options;
  }

  protected override onInitialized(): void {
    this.#gridOrigin = (this.#options.now ?? Date.now)();
    this.#timer = setInterval(() => void this.scrape(), this.#options.intervalMs);
    // A telemetry timer must never keep the process alive on its own.
    this.#timer.unref();
  }

  /** Collects now and appends to the store; concurrent calls share one collection. Never rejects. */
  scrape(): Promise<void> {
    this.#collecting ??= this.#scrapeOnce().finally(() => {
      this.#collecting = undefined;
    });
    return this.#collecting;
  }

  async #scrapeOnce(): Promise<void> {
    const { store, logger } = this.#options;
    try {
      const { resourceMetrics, errors } = await this.collect();
      if (errors.length) logger.warn({ errors: errors.map(String) }, 'store collection had errors');
      const now = this.#sampleTime((this.#options.now ?? Date.now)());
      let rejected = 0;
      appendCollection(resourceMetrics, (labels, value) => {
        this.#tracker.see(labels);
        if (!store.append(labels, now, value)) rejected++;
      });
      for (const labels of this.#tracker.finish()) store.appendStaleMarker(labels, now);
      if (rejected) logger.debug({ rejected }, 'store rejected out-of-order samples');
      store.enforceRetention();
    } catch (error) {
      logger.warn({ err: error }, 'store collection failed');
    }
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

  protected override async onShutdown(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
