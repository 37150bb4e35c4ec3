/**
 * The embedded store's exemplars: a bounded ring of the exemplars the store reader sees, as Prometheus keeps
 * them (`--storage.tsdb.max-exemplars`, a circular buffer), answering `/api/v1/query_exemplars`.
 */
import { type CompiledMatcher, compileMatcher, type LabelMatcher, type Labels } from '@yardstick/promql';
import { seriesKey } from './series-key.ts';

/** One stored exemplar. */
export interface StoredExemplar {
  readonly value: number;
  readonly timeMs: number;
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
}

/** A series' exemplars in a time range, oldest first. */
export interface ExemplarSeries {
  readonly seriesLabels: Labels;
  readonly exemplars: StoredExemplar[];
}

interface Entry extends StoredExemplar {
  readonly key: string;
}

/** What the store knows of a series with exemplars in the ring. */
interface SeriesState {
  readonly labels: Labels;
  /** The newest exemplar appended, to drop what a later collection sees again. */
  last: StoredExemplar;
  /** Entries of the series in the ring; the state goes when the last one is overwritten. */
  held: number;
}

/** Prometheus's default `--storage.tsdb.max-exemplars`. */
export const DEFAULT_MAX_EXEMPLARS = 100_000;

/** A circular buffer of exemplars across all series, oldest overwritten first. */
export class ExemplarStore {
  readonly #ring: Array<Entry | undefined>;
  #next = 0;
  readonly #series = new Map<string, SeriesState>();

  constructor(maxExemplars: number = DEFAULT_MAX_EXEMPLARS) {
    this.#ring = new Array<Entry | undefined>(Math.max(1, maxExemplars)).fill(undefined);
  }

  /**
   * Appends `exemplar` to the series `labels`. As Prometheus does, an exemplar older than the series' newest
   * is dropped, and so is a repeat of the newest (the core keeps an exemplar until a later one replaces it,
   * so every collection sees it again). Returns whether it was appended.
   */
  append(labels: Labels, exemplar: StoredExemplar): boolean {
    const key = seriesKey(labels);
    const state = this.#series.get(key);
    if (state !== undefined) {
      const last = state.last;
      if (exemplar.timeMs < last.timeMs) return false;
      if (
        exemplar.timeMs === last.timeMs &&
        exemplar.value === last.value &&
        exemplar.traceId === last.traceId &&
        exemplar.spanId === last.spanId
      )
        return false;
    }
    const overwritten = this.#ring[this.#next];
    if (overwritten !== undefined) {
      const old = this.#series.get(overwritten.key);
      if (old !== undefined && --old.held === 0) this.#series.delete(overwritten.key);
    }
    const entry: Entry = {
      key,
      value: exemplar.value,
      timeMs: exemplar.timeMs,
      traceId: exemplar.traceId,
      spanId: exemplar.spanId,
    };
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#ring.length;
    const current = this.#series.get(key);
    if (current === undefined) this.#series.set(key, { labels, last: entry, held: 1 });
    else {
      current.last = entry;
      current.held++;
    }
    return true;
  }

  /**
   * The exemplars in `[startMs, endMs]` of the series any of `selectors` matches (each a list of matchers
   * that must all hold), by series, oldest first.
   */
  select(selectors: readonly (readonly LabelMatcher[])[], startMs: number, endMs: number): ExemplarSeries[] {
    const compiled = selectors.map((matchers) => matchers.map(compileMatcher));
    const found = new Map<string, ExemplarSeries>();
    const rejected = new Set<string>();
    const size = this.#ring.length;
    for (let i = 0; i < size; i++) {
      // Oldest first: the ring starts at the slot written next.
      const entry = this.#ring[(this.#next + i) % size];
      if (entry === undefined || entry.timeMs < startMs || entry.timeMs > endMs) continue;
      let series = found.get(entry.key);
      if (series === undefined) {
        if (rejected.has(entry.key)) continue;
        const labels = this.#series.get(entry.key)?.labels;
        if (labels === undefined || !compiled.some((matchers) => matchesAll(matchers, labels))) {
          rejected.add(entry.key);
          continue;
        }
        series = { seriesLabels: labels, exemplars: [] };
        found.set(entry.key, series);
      }
      series.exemplars.push({
        value: entry.value,
        timeMs: entry.timeMs,
        traceId: entry.traceId,
        spanId: entry.spanId,
      });
    }
    return [...found.values()];
  }
}

function matchesAll(matchers: readonly CompiledMatcher[], labels: Labels): boolean {
  // An absent label reads as the empty string, as in selectors against the sample store.
  for (const matcher of matchers) if (!matcher.matches(labels[matcher.name] ?? '')) return false;
  return true;
}
