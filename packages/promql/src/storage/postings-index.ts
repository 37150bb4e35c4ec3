/**
 * The inverted index of the store: label name → label value → ascending series ids ("postings"), as in
 * Prometheus's TSDB head. Selecting intersects the postings of the matchers instead of scanning series.
 */
import type { CompiledMatcher } from './label-matcher.ts';
import type { Labels } from './queryable.ts';

/** Ascending, duplicate-free series ids. */
export type Postings = readonly number[] | Uint32Array;

/** Label name → value → series ids, kept ascending because ids only grow. */
export class PostingsIndex {
  readonly #byName = new Map<string, Map<string, number[]>>();
  // Every live id in ascending order: the start for selectors whose matchers all match the empty string. An
  // array, not a Set: a Set of 750k ids blocked the event loop ~100 ms each time it doubled, while an array
  // grows by one memcpy.
  #all: number[] = [];

  /** Indexes series `id`; ids must be added in ascending order. */
  add(id: number, labels: Labels): void {
    this.#all.push(id);
    for (const name in labels) {
      const value = labels[name]!;
      let values = this.#byName.get(name);
      if (values === undefined) {
        values = new Map();
        this.#byName.set(name, values);
      }
      const ids = values.get(value);
      if (ids === undefined) values.set(value, [id]);
      else ids.push(id);
    }
  }

  /** Removes the given series (one pass per affected postings list, however many series go). */
  remove(series: ReadonlyArray<{ readonly id: number; readonly labels: Labels }>): void {
    if (series.length === 0) return;
    const gone = new Set<number>();
    const touched = new Map<string, Set<string>>();
    for (const { id, labels } of series) {
      gone.add(id);
      for (const name in labels) {
        let values = touched.get(name);
        if (values === undefined) {
          values = new Set();
          touched.set(name, values);
        }
        values.add(labels[name]!);
      }
    }
    this.#all = this.#all.filter((id) => !gone.has(id));
    for (const [name, values] of touched) {
      const byValue = this.#byName.get(name);
      if (byValue === undefined) continue;
      for (const value of values) {
        const ids = byValue.get(value);
        if (ids === undefined) continue;
        const kept = ids.filter((id) => !gone.has(id));
        if (kept.length === 0) byValue.delete(value);
        else byValue.set(value, kept);
      }
      if (byValue.size === 0) this.#byName.delete(name);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#byName.clear();
    this.#all = [];
  }

  /**
   * Ids of the series matching every matcher, ascending. Matchers that do not match `""` select through
   * their postings and are intersected; matchers that do match `""` (which also match series without the
   * label) instead subtract the series whose value they reject.
   */
  select(matchers: readonly CompiledMatcher[]): Postings {
    let result: Postings | undefined;
    const subtract: CompiledMatcher[] = [];
    // Cheapest first: an equality matcher is one lookup and usually the most selective.
    const ordered = [...matchers].sort((a, b) => rank(a) - rank(b));
    for (const matcher of ordered) {
      if (matcher.matchesEmpty) {
        subtract.push(matcher);
        continue;
      }
      const postings = this.#postingsFor(matcher, true);
      result = result === undefined ? postings : intersect(result, postings);
      if (result.length === 0) return result;
    }
    result ??= this.#all.slice();
    for (const matcher of subtract) {
      const rejected = this.#postingsFor(matcher, false);
      if (rejected.length > 0) result = difference(result, rejected);
      if (result.length === 0) return result;
    }
    return result;
  }

  /** Label names used by the series in `ids` (all series when omitted), unsorted. */
  labelNames(ids?: Postings): string[] {
    if (ids === undefined) return [...this.#byName.keys()];
    const wanted = new Set(ids);
    const names: string[] = [];
    for (const [name, values] of this.#byName) {
      if (anyPostingIn(values, wanted)) names.push(name);
    }
    return names;
  }

  /** Values of label `name` among the series in `ids` (all series when omitted), unsorted. */
  labelValues(name: string, ids?: Postings): string[] {
    const values = this.#byName.get(name);
    if (values === undefined) return [];
    if (ids === undefined) return [...values.keys()];
    const wanted = new Set(ids);
    const result: string[] = [];
    for (const [value, postings] of values) {
      if (postings.some((id) => wanted.has(id))) result.push(value);
    }
    return result;
  }

  /** Postings of the values of the matcher's label that it accepts (`accepted`) or rejects. */
  #postingsFor(matcher: CompiledMatcher, accepted: boolean): Postings {
    const values = this.#byName.get(matcher.name);
    if (values === undefined) return [];
    const lists: (readonly number[])[] = [];
    let total = 0;
    const positive = matcher.type === '=' || matcher.type === '=~';
    // A finite list of accepted (or, for a negative matcher, rejected) values is looked up directly
    // instead of testing every value of the label.
    if (matcher.exactValues !== undefined && accepted === positive) {
      for (const value of new Set(matcher.exactValues)) {
        const ids = values.get(value);
        if (ids !== undefined) {
          lists.push(ids);
          total += ids.length;
        }
      }
      return union(lists, total);
    }
    for (const [value, ids] of values) {
      if (matcher.matches(value) === accepted) {
        lists.push(ids);
        total += ids.length;
      }
    }
    return union(lists, total);
  }
}

/** Union of postings lists of one label, which are disjoint (a series has one value per label). */
function union(lists: readonly (readonly number[])[], total: number): Postings {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!;
  // A typed-array numeric sort of the concatenation is faster than a k-way merge in JS.
  const merged = new Uint32Array(total);
  let offset = 0;
  for (const ids of lists) {
    merged.set(ids, offset);
    offset += ids.length;
  }
  return merged.sort();
}

function rank(matcher: CompiledMatcher): number {
  if (matcher.matchesEmpty) return 3;
  return matcher.type === '=' ? 0 : matcher.type === '=~' ? 1 : 2;
}

function anyPostingIn(values: Map<string, number[]>, wanted: Set<number>): boolean {
  for (const ids of values.values()) for (const id of ids) if (wanted.has(id)) return true;
  return false;
}

/** Ids in both ascending lists. */
function intersect(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Ids of ascending list `a` that are not in ascending list `b`. */
function difference(a: Postings, b: Postings): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j]! !== x) out.push(x);
  }
  return out;
}
