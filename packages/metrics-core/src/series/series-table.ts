/**
 * The series of one metric stream (an instrument as one view exports it): the attribute trie in front,
 * the cells behind it, the OTel cardinality limit with its overflow series, and idle eviction. Everything
 * that decides which series a measurement lands in lives here, so evicting a series frees it everywhere.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { SeriesExemplars } from '../exemplars/series-exemplars.ts';
import { sharedStartTime } from '../model/start-times.ts';
import { AttributeTrie } from './attribute-trie.ts';
import { OVERFLOW_ATTRIBUTES, type SeriesCell } from './series-cell.ts';

/**
 * Rewrites a measurement's attribute set before it becomes a series (key filters, redaction, value
 * budgets, templating). Called once per distinct incoming set, never per measurement; must not throw.
 */
export type AttributePolicy = (attributes: Attributes) => Attributes;

/** Options of a {@link SeriesTable}. */
export interface SeriesTableOptions<C extends SeriesCell> {
  readonly create: (attributes: Attributes, startTime: HrTime, nowMs: number) => C;
  /** Distinct attribute sets kept before measurements go to the overflow series. */
  readonly cardinalityLimit: number;
  /** Keep only these keys (a view's attribute allow-list). */
  readonly attributeKeys?: readonly string[] | undefined;
  readonly policy?: AttributePolicy | undefined;
  /** Series with no measurement for this long are removed at the next collection. */
  readonly idleEvictionMs?: number | undefined;
  /** Called once, when the first attribute set goes to the overflow series, with the admitted sets. */
  readonly onFirstOverflow?:
    | ((forEachSeries: (visit: (attributes: Attributes) => void) => void) => void)
    | undefined;
  /** Reports a policy that threw (the measurement still lands, with its attributes unchanged). */
  readonly onPolicyError?: ((error: unknown) => void) | undefined;
  /** The series' exemplar reservoirs; undefined when exemplars are off (filter `always_off`). */
  readonly exemplars?: SeriesExemplars | undefined;
}

/** The series of one stream. */
export class SeriesTable<C extends SeriesCell> {
  readonly #options: SeriesTableOptions<C>;
  /**
   * One trie is both the cache of incoming sets (in the caller's key order) and the index of admitted
   * series, whose path lists their exported attributes in this stream's key order: the order keys were
   * first seen in. Instruments nearly always list their keys in one order, so a series usually costs one
   * path. Measured (bench/recording-core.ts, 100k series, keys not in sorted order): indexing by sorted
   * order cost a second path, ~100 bytes per series; a hash-keyed Map ~40; a JSON-keyed Map ~140. Needs
   * attribute policies to be idempotent (a rewritten set rewrites to itself), which redaction, key
   * filters, templating and value budgets are.
   */
  #trie = new AttributeTrie<C>();
  /** This stream's key order: rank of each key, in the order keys were first seen. */
  readonly #keyRank = new Map<string, number>();
  readonly #maxLeaves: number;
  /** Admitted series, in creation order. */
  #live: C[] = [];
  #overflow: C | undefined = undefined;
  /** Series removed by idle eviction so far. */
  evictedSeries = 0;
  /** The series' exemplar reservoirs, which instruments offer sampled measurements to. */
  readonly exemplars: SeriesExemplars | undefined;

  constructor(options: SeriesTableOptions<C>) {
    this.#options = options;
    this.exemplars = options.exemplars;
    // Four cached incoming sets per admitted series absorb rewritten variants (redaction, budgets, key
    // order) while bounding the trie's memory under an attack of distinct sets.
    this.#maxLeaves = Math.max(1024, options.cardinalityLimit * 4);
  }

  /** Series held, the overflow series included. */
  get size(): number {
    return this.#live.length + (this.#overflow === undefined ? 0 : 1);
  }

  /** The series a measurement with `attributes` records into. The hot path: one trie walk. Never throws. */
  series(attributes: Attributes): C {
    return this.#trie.get(attributes) ?? this.#decide(attributes);
  }

  /** The configured limit of distinct attribute sets. */
  get cardinalityLimit(): number {
    return this.#options.cardinalityLimit;
  }

  /** Measurements recorded into the overflow series so far. */
  get overflowMeasurements(): number {
    return this.#overflow?.updates ?? 0;
  }

  /** Admitted series (the overflow series left out). */
  get admittedSeries(): number {
    return this.#live.length;
  }

  /**
   * The admitted series in creation order, for collection. Series created while a collection gives the
   * event loop a turn are appended, so read `length` as you go; idle eviction replaces the array.
   */
  get admittedCells(): readonly C[] {
    return this.#live;
  }

  /** The overflow series, once an attribute set went over the limit. */
  get overflowCell(): C | undefined {
    return this.#overflow;
  }

  /** Every live series (admitted ones in creation order, then overflow). */
  *cells(): IterableIterator<C> {
    yield* this.#live;
    if (this.#overflow !== undefined) yield this.#overflow;
  }

  /**
   * Removes admitted series whose last activity (`lastActiveSec`, set by collection) is `idleEvictionMs` or
   * more before `nowMs` (to the second); returns those removed.
   */
  evictIdle(nowMs: number): C[] {
    const idleMs = this.#options.idleEvictionMs;
    if (idleMs === undefined) return [];
    const evicted: C[] = [];
    const kept: C[] = [];
    const nowSec = Math.floor(nowMs / 1000);
    const idleSec = Math.ceil(idleMs / 1000);
    for (const cell of this.#live) (nowSec - cell.lastActiveSec >= idleSec ? evicted : kept).push(cell);
    if (evicted.length > 0) {
      this.#live = kept;
      this.evictedSeries += evicted.length;
      // Cached decisions may point at evicted series, or at the overflow series while a place is free again.
      this.#rebuild();
    }
    return evicted;
  }

  #decide(incoming: Attributes): C {
    const nowMs = Date.now();
    const attributes = this.#rewrite(incoming);
    this.#rankKeys(incoming, attributes);
    let cell = this.#trie.get(this.#inStreamOrder(attributes));
    if (cell === undefined) {
      if (this.#live.length < this.#options.cardinalityLimit) {
        cell = this.#options.create(Object.freeze(compacted(attributes)), sharedStartTime(nowMs), nowMs);
        this.#live.push(cell);
        this.#remember(this.#inStreamOrder(cell.attributes), cell);
      } else {
        if (this.#overflow === undefined) {
          this.#overflow = this.#options.create(OVERFLOW_ATTRIBUTES, sharedStartTime(nowMs), nowMs);
          this.#options.onFirstOverflow?.((visit) => {
            for (const admitted of this.#live) visit(admitted.attributes);
          });
        }
        // With idle eviction an overflowing set must ask again each time, or a freed place would never be
        // offered to it.
        if (this.#options.idleEvictionMs !== undefined) return this.#overflow;
        cell = this.#overflow;
      }
    }
    this.#remember(incoming, cell);
    return cell;
  }

  #remember(attributes: Attributes, cell: C): void {
    if (this.#trie.size >= this.#maxLeaves) this.#rebuild();
    this.#trie.set(attributes, cell);
  }

  /** Refills the trie with the admitted series alone (after evictions, or when cached variants fill it). */
  #rebuild(): void {
    this.#trie = new AttributeTrie<C>();
    for (const cell of this.#live) this.#trie.set(this.#inStreamOrder(cell.attributes), cell);
  }

  /** Gives the keys of a new set a rank: the incoming set's order first, then any the policy added. */
  #rankKeys(incoming: Attributes, exported: Attributes): void {
    for (const key in incoming) if (!this.#keyRank.has(key)) this.#keyRank.set(key, this.#keyRank.size);
    for (const key in exported) if (!this.#keyRank.has(key)) this.#keyRank.set(key, this.#keyRank.size);
  }

  /** `attributes` listed in this stream's key order (the same object when they already are). */
  #inStreamOrder(attributes: Attributes): Attributes {
    const ranks = this.#keyRank;
    let previous = -1;
    let ordered = true;
    for (const key in attributes) {
      const rank = ranks.get(key) ?? Number.MAX_SAFE_INTEGER;
      if (rank < previous) {
        ordered = false;
        break;
      }
      previous = rank;
    }
    if (ordered) return attributes;
    const keys = Object.keys(attributes).sort(
      (a, b) => (ranks.get(a) ?? Number.MAX_SAFE_INTEGER) - (ranks.get(b) ?? Number.MAX_SAFE_INTEGER),
    );
    const copy: Attributes = {};
    for (const key of keys) setKey(copy, key, attributes[key]);
    return copy;
  }

  /** The attributes a set is exported with: a sorted copy, filtered and rewritten. */
  #rewrite(incoming: Attributes): Attributes {
    let attributes = incoming;
    const policy = this.#options.policy;
    if (policy !== undefined) {
      try {
        attributes = policy(incoming);
      } catch (error) {
        this.#options.onPolicyError?.(error);
      }
    }
    const allowed = this.#options.attributeKeys;
    const copy: Attributes = {};
    // The copy outlives the call: the caller's object may be reused and changed.
    for (const key of Object.keys(attributes).sort()) {
      if (allowed !== undefined && !allowed.includes(key)) continue;
      const value = attributes[key];
      if (value !== undefined && value !== null) setKey(copy, key, Array.isArray(value) ? [...value] : value);
    }
    return copy;
  }
}

/**
 * `attributes` in an object sized for exactly its keys, for a new series to keep for life. An object grown
 * from `{}` reserves room for four properties (or more, in a separate store, past four); `JSON.parse`
 * allocates one with room for exactly its properties. measured (bench/recording-core.ts, 100k series of 3
 * attributes): 8 bytes less per series, 211 -> 203. Only the keys go through JSON; the values are assigned,
 * so they are never converted. Admitted series only: a set that goes to the overflow series never pays it.
 */
function compacted(attributes: Attributes): Attributes {
  const keys = Object.keys(attributes);
  let json = '{';
  for (let i = 0; i < keys.length; i++) json += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:0`;
  const copy = JSON.parse(`${json}}`) as Attributes;
  for (const key of keys) setKey(copy, key, attributes[key]);
  return copy;
}

/** Sets `target[key]`, also for `__proto__`, which plain assignment would turn into a prototype change. */
function setKey(target: Attributes, key: string, value: Attributes[string]): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
