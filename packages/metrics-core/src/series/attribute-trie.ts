/**
 * The attribute decision cache: a trie over an attribute set's (key, value) pairs, in the order the caller
 * lists them, whose leaves hold what the set was decided to be (the series it records into). Recording walks
 * it instead of hashing the set.
 *
 * Measured (bench/recording-core.ts, 3 attributes): a walk costs about a tenth of the sorted-JSON hash
 * stock sdk-metrics builds per call, and allocates nothing on a hit. Sets of one instrument nearly always
 * list the same keys in the same order, so a node keeps one expected key with one map of values (a Map per
 * node, not per key, keeps memory down); other keys at the same depth go to `otherKeys`. A set's last pair
 * maps straight to its leaf value until a longer set needs a node there: measured (bench/recording-core.ts,
 * 100k series) a node per leaf cost 56 bytes per series.
 */
import type { Attributes } from '@opentelemetry/api';

/** What a value maps to: a node, or (for a set's last pair, while no longer set shares it) the leaf itself. */
type Child<T> = TrieNode<T> | T;

class TrieNode<T> {
  key: string | undefined = undefined;
  byValue: Map<unknown, Child<T>> | undefined = undefined;
  otherKeys: Map<string, Map<unknown, Child<T>>> | undefined = undefined;
  leaf: T | undefined = undefined;

  values(key: string, create: boolean): Map<unknown, Child<T>> | undefined {
    if (this.key === key) return this.byValue;
    let values = this.otherKeys?.get(key);
    if (values === undefined && create) {
      values = new Map();
      if (this.key === undefined) {
        this.key = key;
        this.byValue = values;
      } else {
        this.otherKeys ??= new Map();
        this.otherKeys.set(key, values);
      }
    }
    return values;
  }
}

/** Sets with more keys than this, or with array values, are never cached: they cost a decision per call. */
export const MAX_TRIE_KEYS = 32;

/** A map from attribute sets (by their listed pairs) to `T`; its owner bounds its size. */
export class AttributeTrie<T> {
  #root = new TrieNode<T>();
  #size = 0;

  /** Leaves held. */
  get size(): number {
    return this.#size;
  }

  /** What `attributes` was decided to be, if cached. The hot path: no allocation. */
  get(attributes: Attributes): T | undefined {
    let node: Child<T> | undefined = this.#root;
    for (const key in attributes) {
      // A leaf in place of a node: a shorter set ends here, this one does not.
      if (!(node instanceof TrieNode)) return undefined;
      node = (node.key === key ? node.byValue : node.values(key, false))?.get(attributes[key]);
      if (node === undefined) return undefined;
    }
    return node instanceof TrieNode ? node.leaf : node;
  }

  /** Caches `leaf` for `attributes`, unless the set cannot be cached (see {@link MAX_TRIE_KEYS}). */
  set(attributes: Attributes, leaf: T): void {
    let keys = 0;
    for (const key in attributes) {
      const value = attributes[key];
      // Arrays would be keyed by identity and never hit again.
      if ((typeof value === 'object' && value !== null) || ++keys > MAX_TRIE_KEYS) return;
    }
    let node = this.#root;
    let depth = 0;
    for (const key in attributes) {
      const value = attributes[key];
      const byValue = node.values(key, true)!;
      const next = byValue.get(value);
      if (++depth === keys) {
        if (next instanceof TrieNode) {
          if (next.leaf === undefined) this.#size++;
          next.leaf = leaf;
        } else {
          if (next === undefined) this.#size++;
          byValue.set(value, leaf);
        }
        return;
      }
      if (next instanceof TrieNode) {
        node = next;
      } else {
        const inner = new TrieNode<T>();
        // A shorter set's leaf stored in place moves into the new node.
        if (next !== undefined) inner.leaf = next;
        byValue.set(value, inner);
        node = inner;
      }
    }
    // No keys: the empty set's leaf is the root's.
    if (this.#root.leaf === undefined) this.#size++;
    this.#root.leaf = leaf;
  }

  /** Forgets every cached set. */
  clear(): void {
    this.#root = new TrieNode<T>();
    this.#size = 0;
  }
}
