/**
 * The attribute decision cache: a trie over an attribute set's (key, value) pairs, in the order the caller
 * lists them, whose leaves hold what the set was decided to be (the series it records into). Recording walks
 * it instead of hashing the set.
 *
 * Measured (bench/recording-core.ts, 3 attributes): a walk costs about a tenth of the sorted-JSON hash
 * stock sdk-metrics builds per call, and allocates nothing on a hit. Sets of one instrument nearly always
 * list the same keys in the same order, so a node keeps one expected key with one map of values (a Map per
 * node, not per key, keeps memory down); other keys at the same depth go to `otherKeys`.
 */
import type { Attributes } from '@opentelemetry/api';

class TrieNode<T> {
  key: string | undefined = undefined;
  byValue: Map<unknown, TrieNode<T>> | undefined = undefined;
  otherKeys: Map<string, Map<unknown, TrieNode<T>>> | undefined = undefined;
  leaf: T | undefined = undefined;

  values(key: string, create: boolean): Map<unknown, TrieNode<T>> | undefined {
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

/** A bounded map from attribute sets (by their listed pairs) to `T`. */
export class AttributeTrie<T> {
  #root = new TrieNode<T>();
  #size = 0;
  readonly #maxLeaves: number;

  /** @param maxLeaves leaves kept before the trie is cleared and refilled (bounds memory under attack). */
  constructor(maxLeaves: number) {
    this.#maxLeaves = maxLeaves;
  }

  /** Leaves held. */
  get size(): number {
    return this.#size;
  }

  /** What `attributes` was decided to be, if cached. The hot path: no allocation. */
  get(attributes: Attributes): T | undefined {
    let node: TrieNode<T> | undefined = this.#root;
    for (const key in attributes) {
      node = (node.key === key ? node.byValue : node.values(key, false))?.get(attributes[key]);
      if (node === undefined) return undefined;
    }
    return node.leaf;
  }

  /** Caches `leaf` for `attributes`, unless the set cannot be cached (see {@link MAX_TRIE_KEYS}). */
  set(attributes: Attributes, leaf: T): void {
    let keys = 0;
    for (const key in attributes) {
      const value = attributes[key];
      // Arrays would be keyed by identity and never hit again.
      if ((typeof value === 'object' && value !== null) || ++keys > MAX_TRIE_KEYS) return;
    }
    if (this.#size >= this.#maxLeaves) this.clear();
    let node = this.#root;
    for (const key in attributes) {
      const value = attributes[key];
      const byValue = node.values(key, true)!;
      let next = byValue.get(value);
      if (next === undefined) {
        next = new TrieNode<T>();
        byValue.set(value, next);
      }
      node = next;
    }
    if (node.leaf === undefined) this.#size++;
    node.leaf = leaf;
  }

  /** Forgets every cached set. */
  clear(): void {
    this.#root = new TrieNode<T>();
    this.#size = 0;
  }
}
