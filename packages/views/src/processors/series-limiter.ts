import type { Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor, ViewOptions } from '@opentelemetry/sdk-metrics';
import { ViewsError } from '../errors/views-error.ts';

/** The attribute set that collects every measurement of a set over the limit, as the OTel spec names it. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** One admitted attribute set. */
export interface AdmittedSeries {
  readonly attributes: Attributes;
  /** Last time (ms) a measurement hit the set; only kept up to date when idle eviction is on. */
  lastSeen: number;
}

/** Options of {@link SeriesLimiter}. */
export interface SeriesLimiterOptions {
  /** Distinct attribute sets admitted, the overflow set not counted. */
  readonly limit: number;
  /** Forget sets without measurements for this long, freeing their place. Off when absent. */
  readonly idleEvictionMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** Called once, the first time a set is sent to the overflow series. */
  readonly onFirstOverflow?: (limiter: SeriesLimiter) => void;
}

/**
 * The identity of an attribute set, computed exactly as sdk-metrics does (sorted keys, JSON), so the sets
 * counted here are the series the SDK will export.
 */
export function attributeSetKey(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  keys.sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/**
 * Admission control for one metric stream, as the OTel spec ("Cardinality limits") requires and stock
 * sdk-metrics 3.x does not do: no overflow while distinct sets <= `limit`; sets admitted before the overflow
 * keep their series in every later collection cycle, whatever the temporality; later sets go to
 * {@link OVERFLOW_ATTRIBUTES}. With `idleEvictionMs`, sets idle that long lose their place when a new set
 * needs one.
 */
export class SeriesLimiter {
  readonly limit: number;
  readonly idleEvictionMs: number | undefined;
  /** Measurements sent to the overflow series. */
  overflowMeasurements = 0;
  /** Sets forgotten by idle eviction. */
  evictedSeries = 0;
  /** Bumped whenever eviction removes a set, so callers caching admissions know to drop them. */
  evictionEpoch = 0;
  readonly #series = new Map<string, AdmittedSeries>();
  readonly #now: () => number;
  readonly #onFirstOverflow: ((limiter: SeriesLimiter) => void) | undefined;
  #overflowed = false;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(options: SeriesLimiterOptions) {
    this.limit = options.limit;
    this.idleEvictionMs = options.idleEvictionMs;
    this.#now = options.now ?? Date.now;
    this.#onFirstOverflow = options.onFirstOverflow;
  }

  /** Distinct sets holding a place now. */
  get seriesCount(): number {
    return this.#series.size;
  }

  /** Whether some set has been sent to the overflow series. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /**
   * The admitted series for `attributes` (admitting it if there is room), or `undefined` when it belongs to
   * the overflow series. Does not count the measurement; see {@link touch} and {@link countOverflow}.
   */
  admit(attributes: Attributes): AdmittedSeries | undefined {
    const key = attributeSetKey(attributes);
    const known = this.#series.get(key);
    if (known !== undefined) return known;
    if (this.#series.size >= this.limit && !this.#evictIdle()) return undefined;
    const series: AdmittedSeries = {
      attributes,
      lastSeen: this.idleEvictionMs === undefined ? 0 : this.#now(),
    };
    this.#series.set(key, series);
    return series;
  }

  /** Marks a measurement on an admitted series. */
  touch(series: AdmittedSeries): void {
    // The clock is read only when eviction needs it: Date.now() is the largest cost on this path otherwise.
    if (this.idleEvictionMs !== undefined) series.lastSeen = this.#now();
  }

  /** Counts a measurement sent to the overflow series; the first one triggers `onFirstOverflow`. */
  countOverflow(): void {
    this.overflowMeasurements++;
    if (!this.#overflowed) {
      this.#overflowed = true;
      this.#onFirstOverflow?.(this);
    }
  }

  /** The attribute keys with the most distinct values among admitted sets, most first. */
  topKeys(count: number): Array<{ key: string; distinctValues: number }> {
    return topKeys((visit) => {
      for (const series of this.#series.values()) visit(series.attributes);
    }, count);
  }

  /** Frees places held by idle sets; true when one is free now. Sweeps at most every quarter idle period. */
  #evictIdle(): boolean {
    const idle = this.idleEvictionMs;
    if (idle === undefined) return false;
    const now = this.#now();
    if (now - this.#lastSweep < idle / 4) return false;
    this.#lastSweep = now;
    let removed = 0;
    for (const [key, series] of this.#series) {
      if (now - series.lastSeen >= idle) {
        this.#series.delete(key);
        removed++;
      }
    }
    if (removed > 0) {
      this.evictedSeries += removed;
      this.evictionEpoch++;
    }
    return this.#series.size < this.limit;
  }
}

/**
 * An attributes processor enforcing a spec-correct series limit on ONE instrument: put it in a view with an
 * exact `instrumentName`, or use {@link createSeriesLimitView}. For many instruments at once use
 * {@link createYardstickViews}, which keeps one limiter per instrument.
 */
export function createSeriesLimitProcessor(options: SeriesLimiterOptions): IAttributesProcessor {
  const limiter = new SeriesLimiter(options);
  return {
    process(incoming) {
      const series = limiter.admit(incoming);
      if (series === undefined) {
        limiter.countOverflow();
        return OVERFLOW_ATTRIBUTES;
      }
      limiter.touch(series);
      return incoming;
    },
  };
}

/**
 * The SDK's own limit for a stream whose sets we already limit to `limit` (+1 overflow set): sdk-metrics
 * 3.x overflows at `aggregationCardinalityLimit - 1` sets per collection cycle, so `limit + 2` keeps it from
 * ever kicking in below ours.
 */
export function sdkLimitAbove(limit: number): number {
  return limit + 2;
}

/**
 * A view limiting one synchronous instrument to `limit` series (plus the overflow series) with spec
 * semantics, and lifting the SDK's own (off-by-one, per-cycle) limit out of the way. For observable
 * instruments use {@link createYardstickViews}: the SDK keeps only the last of several observations a
 * processor maps to one set, so their overflow series would not add up. Give `meterName` when several
 * meters create an instrument of this name: otherwise their streams share the one limiter.
 *
 * @throws ViewsError (`VIEWS_CONFIG_INVALID`) for a wildcard `instrumentName` or a limit below 1.
 * @example
 * ```ts
 * new MeterProvider({ views: [createSeriesLimitView({ instrumentName: 'jobs.processed', limit: 500 })] });
 * ```
 */
export function createSeriesLimitView(
  options: SeriesLimiterOptions & { readonly instrumentName: string; readonly meterName?: string },
): ViewOptions {
  // One limiter per view: a wildcard would make every matching instrument count against one shared limit.
  if (options.instrumentName.includes('*')) {
    throw new ViewsError(
      'VIEWS_CONFIG_INVALID',
      `instrumentName: one exact instrument name is needed, got ${JSON.stringify(options.instrumentName)}; use createYardstickViews for patterns`,
    );
  }
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new ViewsError('VIEWS_CONFIG_INVALID', `limit: must be a positive integer, got ${options.limit}`);
  }
  return {
    instrumentName: options.instrumentName,
    ...(options.meterName === undefined ? {} : { meterName: options.meterName }),
    attributesProcessors: [createSeriesLimitProcessor(options)],
    aggregationCardinalityLimit: sdkLimitAbove(options.limit),
  };
}

/**
 * The `count` attribute keys with the most distinct values among the sets `forEachSet` visits, most first:
 * what the first-overflow warning names as the likely cause.
 */
export function topKeys(
  forEachSet: (visit: (attributes: Attributes) => void) => void,
  count: number,
): Array<{ key: string; distinctValues: number }> {
  const values = new Map<string, Set<string>>();
  forEachSet((attributes) => {
    for (const key in attributes) {
      let seen = values.get(key);
      if (seen === undefined) {
        seen = new Set();
        values.set(key, seen);
      }
      seen.add(JSON.stringify(attributes[key]) ?? 'undefined');
    }
  });
  return [...values]
    .map(([key, seen]) => ({ key, distinctValues: seen.size }))
    .sort((a, b) => b.distinctValues - a.distinctValues || a.key.localeCompare(b.key))
    .slice(0, count);
}
