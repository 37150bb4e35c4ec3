/**
 * The series of one metric stream (an instrument as one view exports it): the attribute trie in front,
 * the cells behind it, the OTel cardinality limit with its overflow series, and idle eviction. Everything
 * that decides which series a measurement lands in lives here, so evicting a series frees it everywhere.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { nowHrTime } from '../model/hr-time.ts';
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
}

/** The series of one stream. */
export class SeriesTable<C extends SeriesCell> {
  readonly #options: SeriesTableOptions<C>;
  readonly #trie: AttributeTrie<C>;
  readonly #byKey = new Map<string, C>();
  #overflow: C | undefined = undefined;
  /** Series removed by idle eviction so far. */
  evictedSeries = 0;

  constructor(options: SeriesTableOptions<C>) {
    this.#options = options;
    // Four cached incoming sets per admitted series absorb rewritten variants (redaction, budgets) while
    // bounding the trie's memory under an attack of distinct sets.
    this.#trie = new AttributeTrie<C>(Math.max(1024, options.cardinalityLimit * 4));
  }

  /** Series held, the overflow series included. */
  get size(): number {
    return this.#byKey.size + (this.#overflow === undefined ? 0 : 1);
  }

  /**
   * The series a measurement with `attributes` records into. The hot path: a trie walk and a flag check.
   * Never throws.
   */
  series(attributes: Attributes): C {
    const cell = this.#trie.get(attributes);
    if (cell !== undefined && !cell.evicted) return cell;
    return this.#decide(attributes);
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
    return this.#byKey.size;
  }

  /** Every live series (admitted ones in creation order, then overflow). */
  *cells(): IterableIterator<C> {
    yield* this.#byKey.values();
    if (this.#overflow !== undefined) yield this.#overflow;
  }

  /** Removes series idle for longer than `idleEvictionMs` (as of `nowMs`); returns those removed. */
  evictIdle(nowMs: number): C[] {
    const idleMs = this.#options.idleEvictionMs;
    const evicted: C[] = [];
    for (const [key, cell] of this.#byKey) {
      if (cell.updates !== cell.seenUpdates) {
        cell.seenUpdates = cell.updates;
        cell.lastActiveMs = nowMs;
      } else if (idleMs !== undefined && nowMs - cell.lastActiveMs >= idleMs) {
        cell.evicted = true;
        this.#byKey.delete(key);
        evicted.push(cell);
      }
    }
    // Cached decisions may point at evicted cells or at the overflow series while a place is free again.
    if (evicted.length > 0) this.#trie.clear();
    this.evictedSeries += evicted.length;
    return evicted;
  }

  #decide(incoming: Attributes): C {
    const nowMs = Date.now();
    const attributes = this.#rewrite(incoming);
    const key = attributesKey(attributes);
    let cell = this.#byKey.get(key);
    if (cell === undefined) {
      if (this.#byKey.size < this.#options.cardinalityLimit) {
        cell = this.#options.create(Object.freeze(attributes), nowHrTime(), nowMs);
        this.#byKey.set(key, cell);
      } else {
        if (this.#overflow === undefined) {
          this.#overflow = this.#options.create(OVERFLOW_ATTRIBUTES, nowHrTime(), nowMs);
          this.#options.onFirstOverflow?.((visit) => {
            for (const admitted of this.#byKey.values()) visit(admitted.attributes);
          });
        }
        // With idle eviction an overflowing set must ask again each time, or a freed place would never be
        // offered to it.
        if (this.#options.idleEvictionMs !== undefined) return this.#overflow;
        cell = this.#overflow;
      }
    }
    this.#trie.set(incoming, cell);
    return cell;
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
      if (value !== undefined && value !== null) copy[key] = Array.isArray(value) ? [...value] : value;
    }
    return copy;
  }
}

/** A string identifying a sorted attribute set (slow path only). */
function attributesKey(sorted: Attributes): string {
  return JSON.stringify(sorted);
}
