/**
 * Feeds the embedded `SampleStore`: a `MetricReader` that collects on the scrape interval and appends the
 * series under the same names and labels `/metrics` shows, so a PromQL query or rule means the same thing
 * here and against a Prometheus that scrapes the service. Series that disappear get a staleness marker, as
 * Prometheus writes one when a target stops exposing a series.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Labels, SampleStore } from '@yardstick/promql';
import { attributeLabelPairs, resourceTargetLabels } from '../exposition/attribute-labels.ts';
import { formatValue } from '../exposition/format-value.ts';
import { collectFamilies } from '../exposition/metric-families.ts';
import type { Logger } from '../logging/logger.ts';
import { seriesKey } from './series-key.ts';

type WarnOnce = (key: string, message: string) => void;

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

/** Only `__name__` is off limits for attributes: scope labels are joined, exactly as `/metrics` does. */
const NAME_ONLY: ReadonlySet<string> = new Set(['__name__']);

function seriesLabels(
  name: string,
  attributes: Attributes,
  histogram: boolean,
  scope: readonly (readonly [string, string])[],
): Record<string, string> {
  const labels = Object.fromEntries(attributeLabelPairs(attributes, histogram, NAME_ONLY, scope));
  labels.__name__ = name;
  return labels;
}

/**
 * Appends one collection to the store through `sink`: the same families (name translation, clash rules)
 * and the same labels as the Prometheus exposition, so a query means the same thing on both.
 */
export function appendCollection(resourceMetrics: ResourceMetrics, sink: Sink, warnOnce: WarnOnce): void {
  const families = collectFamilies(resourceMetrics, { targetInfo: true, scopeLabels: true, warnOnce });
  for (const family of families) {
    if (family.type === 'info') {
      const labels = resourceTargetLabels(resourceMetrics.resource.attributes);
      if (Object.keys(labels).length > 0) sink({ ...labels, __name__: family.name }, 1);
      continue;
    }
    for (const { metric, scopeLabels } of family.members) {
      const scope = scopeLabels.pairs;
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const base = seriesLabels(family.name, point.attributes, true, scope);
          const { boundaries, counts } = point.value.buckets;
          let cumulative = 0;
          for (let i = 0; i < counts.length; i++) {
            cumulative += counts[i]!;
            const le = i < boundaries.length ? formatValue(boundaries[i]!) : '+Inf';
            sink({ ...base, __name__: `${family.name}_bucket`, le }, cumulative);
          }
          if (point.value.sum !== undefined)
            sink({ ...base, __name__: `${family.name}_sum` }, point.value.sum);
          sink({ ...base, __name__: `${family.name}_count` }, point.value.count);
        }
        continue;
      }
      for (const point of metric.dataPoints) {
        sink(seriesLabels(family.name, point.attributes, false, scope), point.value as number);
      }
    }
  }
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
  readonly #warned = new Set<string>();
  readonly #warnOnce: WarnOnce = (key, message) => {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.logger.warn({ reader: 'store' }, message);
  };
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
      appendCollection(
        resourceMetrics,
        (labels, value) => {
          this.#tracker.see(labels);
          if (!store.append(labels, now, value)) rejected++;
        },
        this.#warnOnce,
      );
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
