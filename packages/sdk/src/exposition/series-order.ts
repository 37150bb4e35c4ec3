/**
 * The order a family's series are written in, kept between scrapes with the text each series starts with
 * (its key), so a large family is neither re-labelled nor re-sorted on every scrape.
 *
 * Why reuse is possible: for cumulative temporality the SDK reports a metric's series in a stable order (its
 * per-series map keeps insertion order, keyed by the attributes object it first saw) and only ever appends
 * new series. When this scrape's attributes objects start with exactly the previous scrape's, the previous
 * order is reused and only the appended series are sorted and merged in. Anything else (observable
 * instruments, whose callbacks build new attribute objects each time) is sorted from scratch.
 */
import type { Attributes } from '@opentelemetry/api';

/** The series of one family in the SDK's order, with their keys and the order to write them in. */
export interface OrderedSeries {
  /**
   * The key of each series, indexed like the SDK's data points: the text its lines start with (name and
   * labels), which is also what the series are sorted by.
   */
  readonly keys: readonly string[];
  /** Indices into the data points, in exposition order. */
  readonly order: readonly number[];
  /**
   * `order` without the series whose key equals the one before it (two OTel series that map to one
   * Prometheus series): only the first of each is written. The same array as `order` when there are none.
   */
  readonly written: readonly number[];
}

interface Snapshot extends OrderedSeries {
  readonly attributes: readonly Attributes[];
  readonly scopes: readonly string[];
}

/** Yielded between slices of work: the caller gives the event loop a turn. */
export type Pause = '';
const PAUSE: Pause = '';

/** Series keyed per slice before pausing (a first scrape renders every key; later ones reuse them). */
const KEYS_PER_SLICE = 2_048;
/** Sorted runs are this long; each is sorted with the native sort. */
const RUN = 2_048;
/** Comparisons (roughly) per slice of the merge sort: a few milliseconds. */
const STEPS_PER_SLICE = 65_536;

type Compare = (a: number, b: number) => number;

/** Merges the sorted runs `source[lo, mid)` and `source[mid, hi)` into `target[lo, hi)`, stable. */
function mergeRuns(
  source: number[],
  target: number[],
  lo: number,
  mid: number,
  hi: number,
  compare: Compare,
): void {
  let left = lo;
  let right = mid;
  let out = lo;
  while (left < mid && right < hi) {
    const l = source[left] as number;
    const r = source[right] as number;
    if (compare(r, l) < 0) {
      target[out++] = r;
      right++;
    } else {
      target[out++] = l;
      left++;
    }
  }
  while (left < mid) target[out++] = source[left++] as number;
  while (right < hi) target[out++] = source[right++] as number;
}

/**
 * Bottom-up merge sort of `items` that pauses between slices, so sorting 100k series never holds the
 * event loop for the whole sort. Returns the sorted array (not necessarily `items`).
 */
function* sortInSlices(items: number[], compare: Compare): Generator<Pause, number[], undefined> {
  const n = items.length;
  if (n <= RUN) return items.sort(compare);
  let steps = 0;
  for (let lo = 0; lo < n; lo += RUN) {
    const run = items.slice(lo, lo + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) items[lo + i] = run[i] as number;
    steps += RUN * 11;
    if (steps >= STEPS_PER_SLICE) {
      steps = 0;
      yield PAUSE;
    }
  }
  let source = items;
  let target = new Array<number>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      mergeRuns(source, target, lo, mid, hi, compare);
      steps += hi - lo;
      if (steps >= STEPS_PER_SLICE) {
        steps = 0;
        yield PAUSE;
      }
    }
    [source, target] = [target, source];
  }
  return source;
}

function range(from: number, to: number): number[] {
  const indices = new Array<number>(to - from);
  for (let i = from; i < to; i++) indices[i - from] = i;
  return indices;
}

/**
 * Remembers, per family, the series seen on the last scrape and their exposition order.
 * Snapshots are never mutated once stored, so two scrapes interleaving at pauses cannot corrupt each other.
 */
export class SeriesOrder {
  readonly #families = new Map<string, Snapshot>();

  /**
   * Keys and orders the series of one family.
   *
   * @param key - identifies the family across scrapes (its type and name)
   * @param attributes - each data point's attributes, in the SDK's order (kept: do not mutate it later)
   * @param scopes - each data point's scope labels, same order (kept too)
   * @param render - the key of a series from its attributes and scope labels
   */
  *resolve(
    key: string,
    attributes: readonly Attributes[],
    scopes: readonly string[],
    render: (attributes: Attributes, scope: string) => string,
  ): Generator<Pause, OrderedSeries, undefined> {
    const previous = this.#families.get(key);
    const n = attributes.length;
    const kept = previous ? keptPrefix(previous, attributes, scopes) : 0;
    if (previous && kept === n) return previous;
    const keys = new Array<string>(n);
    for (let i = 0; i < kept; i++) keys[i] = previous?.keys[i] as string;
    for (let i = kept; i < n; i++) {
      keys[i] = render(attributes[i] as Attributes, scopes[i] as string);
      if ((i - kept + 1) % KEYS_PER_SLICE === 0) yield PAUSE;
    }
    const compare: Compare = (a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      // For speed and determinism: plain `<` compares UTF-16 code units, with no locale (unlike localeCompare).
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    };
    const appended = yield* sortInSlices(range(kept, n), compare);
    let order = appended;
    if (previous && kept > 0) {
      order = new Array<number>(n);
      const both = [...previous.order, ...appended];
      mergeRuns(both, order, 0, previous.order.length, n, compare);
    }
    const snapshot: Snapshot = { attributes, scopes, keys, order, written: withoutRepeats(order, keys) };
    this.#families.set(key, snapshot);
    return snapshot;
  }

  /** Forgets families that were not part of the last complete scrape. */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.#families.keys()) if (!keys.has(key)) this.#families.delete(key);
  }
}

/**
 * `order` less each index whose key equals the previous one's. Worked out once per order rather than on every
 * scrape: measured (CPU profile of a 1k-series render after a cache-evicting sweep), comparing each key with
 * the one before it, which reads both strings up to where they differ, was ~15% of writing the lines.
 */
function withoutRepeats(order: readonly number[], keys: readonly string[]): readonly number[] {
  let written: number[] | undefined;
  for (let i = 1; i < order.length; i++) {
    if (keys[order[i] as number] !== keys[order[i - 1] as number]) {
      written?.push(order[i] as number);
    } else {
      written ??= order.slice(0, i);
    }
  }
  return written ?? order;
}

/** How many leading series are the same as last time; 0 unless the old series are an exact prefix. */
function keptPrefix(
  previous: Snapshot,
  attributes: readonly Attributes[],
  scopes: readonly string[],
): number {
  const length = previous.attributes.length;
  if (length > attributes.length) return 0;
  for (let i = 0; i < length; i++) {
    if (previous.attributes[i] !== attributes[i] || previous.scopes[i] !== scopes[i]) return 0;
  }
  return length;
}
