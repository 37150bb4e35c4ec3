/**
 * The embedded in-memory time-series store: the SDK appends every scrape, the PromQL engine reads
 * through {@link Queryable}.
 */
import { type CompiledMatcher, compileMatcher, labelsMatch } from './label-matcher.ts';
import {
  type LabelMatcher,
  type Labels,
  type Queryable,
  type SeriesSamples,
  STALE_NAN,
} from './queryable.ts';

/** Options of a {@link SampleStore}. */
export interface SampleStoreOptions {
  /** Samples older than `now() - retentionMs` are dropped by {@link SampleStore.enforceRetention}. */
  readonly retentionMs?: number;
  /** Upper bound on the bytes held; the oldest data is dropped first by {@link SampleStore.enforceRetention}. */
  readonly maxBytes?: number;
  /** Clock for age-based retention, milliseconds since the epoch; `Date.now` by default. */
  readonly now?: () => number;
}

/** Size figures of a {@link SampleStore}. */
export interface SampleStoreStats {
  readonly series: number;
  readonly samples: number;
  readonly chunks: number;
  /** Bytes held by sample data plus an estimate of the series index. */
  readonly bytes: number;
  readonly bytesPerSample: number;
  /** Samples refused since creation because their timestamp was not after the series' last one. */
  readonly rejectedSamples: number;
}

interface Series {
  readonly labels: Labels;
  timestamps: number[];
  // A Float64Array, not a number[]: V8 canonicalises NaN payloads in double arrays, which would turn the
  // staleness marker into an ordinary NaN.
  values: Float64Array;
  count: number;
}

/**
 * An in-memory store of float samples.
 *
 * Appends never throw: a sample whose timestamp is not after the last one of its series (out of order or
 * duplicate) is refused and counted, like Prometheus's TSDB does.
 *
 * @example
 * ```ts
 * const store = new SampleStore({ retentionMs: 6 * 3600_000 });
 * store.append({ __name__: 'up', job: 'api' }, Date.now(), 1);
 * for (const s of store.select([{ type: '=', name: 'job', value: 'api' }], 0, Date.now())) { … }
 * ```
 */
export class SampleStore implements Queryable {
  readonly #retentionMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #series = new Map<string, Series>();
  #rejected = 0;

  constructor(options: SampleStoreOptions = {}) {
    this.#retentionMs = options.retentionMs ?? Number.POSITIVE_INFINITY;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Appends one sample. Labels with an empty value are ignored (an empty label is an absent label).
   * @returns `false` when the sample was refused: timestamp not finite, or not after the series' last one.
   */
  append(labels: Labels, timestampMs: number, value: number): boolean {
    if (!Number.isFinite(timestampMs)) {
      this.#rejected++;
      return false;
    }
    const clean = withoutEmptyLabels(labels);
    const key = seriesKey(clean);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: clean, timestamps: [], values: new Float64Array(16), count: 0 };
      this.#series.set(key, series);
    }
    const last = series.timestamps[series.timestamps.length - 1];
    if (last !== undefined && timestampMs <= last) {
      this.#rejected++;
      return false;
    }
    if (series.count === series.values.length) {
      const grown = new Float64Array(series.count * 2);
      grown.set(series.values);
      series.values = grown;
    }
    series.timestamps.push(timestampMs);
    series.values[series.count++] = value;
    return true;
  }

  /** Appends Prometheus's staleness marker ({@link STALE_NAN}) for a series that disappeared. */
  appendStaleMarker(labels: Labels, timestampMs: number): boolean {
    return this.append(labels, timestampMs, STALE_NAN);
  }

  /** Series matching all `matchers` with their samples in `[minT, maxT]`; series without samples there are left out. */
  *select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples> {
    const compiled = matchers.map(compileMatcher);
    for (const series of this.#series.values()) {
      if (!labelsMatch(series.labels, compiled)) continue;
      let from = 0;
      while (from < series.count && series.timestamps[from]! < minT) from++;
      let to = from;
      while (to < series.count && series.timestamps[to]! <= maxT) to++;
      if (to > from) {
        yield {
          labels: series.labels,
          timestamps: Float64Array.from(series.timestamps.slice(from, to)),
          values: series.values.slice(from, to),
        };
      }
    }
  }

  /** Label sets of the series matching `matchers` that have a sample in `[minT, maxT]`. */
  series(matchers: readonly LabelMatcher[], minT: number, maxT: number): Labels[] {
    return [...this.select(matchers, minT, maxT)].map((s) => s.labels);
  }

  /** Sorted label names used by the series matching `matchers` (all series when omitted). */
  labelNames(matchers: readonly LabelMatcher[] = []): string[] {
    const names = new Set<string>();
    for (const labels of this.#matching(matchers)) for (const name of Object.keys(labels)) names.add(name);
    return [...names].sort();
  }

  /** Sorted values of label `name` among the series matching `matchers` (all series when omitted). */
  labelValues(name: string, matchers: readonly LabelMatcher[] = []): string[] {
    const values = new Set<string>();
    for (const labels of this.#matching(matchers)) {
      const value = labels[name];
      if (value !== undefined) values.add(value);
    }
    return [...values].sort();
  }

  /** Drops every series and sample. */
  clear(): void {
    this.#series.clear();
  }

  /**
   * Drops data older than `now() - retentionMs`, then the oldest data until the store is under
   * `maxBytes`. The store runs no timers: its owner calls this, e.g. on every scrape interval.
   */
  enforceRetention(): void {
    const cutoff = this.#now() - this.#retentionMs;
    for (const [key, series] of this.#series) {
      let keep = 0;
      while (keep < series.timestamps.length && series.timestamps[keep]! < cutoff) keep++;
      this.#dropOldest(series, keep);
      if (series.count === 0) this.#series.delete(key);
    }
    while (this.stats().bytes > this.#maxBytes) {
      let oldestKey: string | undefined;
      let oldestT = Number.POSITIVE_INFINITY;
      for (const [key, series] of this.#series) {
        const first = series.timestamps[0]!;
        if (first < oldestT) {
          oldestT = first;
          oldestKey = key;
        }
      }
      if (oldestKey === undefined) break;
      const series = this.#series.get(oldestKey)!;
      this.#dropOldest(series, Math.min(120, series.count));
      if (series.count === 0) this.#series.delete(oldestKey);
    }
  }

  /** Size figures, for `/v1/stats` and capacity planning. */
  stats(): SampleStoreStats {
    let samples = 0;
    for (const series of this.#series.values()) samples += series.timestamps.length;
    const bytes = samples * 16;
    return {
      series: this.#series.size,
      samples,
      chunks: this.#series.size,
      bytes,
      bytesPerSample: samples === 0 ? 0 : bytes / samples,
      rejectedSamples: this.#rejected,
    };
  }

  #dropOldest(series: Series, count: number): void {
    series.timestamps = series.timestamps.slice(count);
    series.values = series.values.slice(count);
    series.count -= count;
  }

  *#matching(matchers: readonly LabelMatcher[]): Iterable<Labels> {
    const compiled: CompiledMatcher[] = matchers.map(compileMatcher);
    for (const series of this.#series.values()) if (labelsMatch(series.labels, compiled)) yield series.labels;
  }
}

function withoutEmptyLabels(labels: Labels): Labels {
  const clean: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name]!;
    if (value !== '') clean[name] = value;
  }
  return clean;
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels));
}
