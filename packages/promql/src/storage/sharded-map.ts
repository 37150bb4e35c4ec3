/**
 * A map split over 64 smaller `Map`s by a cheap shard function of the key (by default the low bits of an
 * integer key: series ids, label-set hashes).
 *
 * Why: a V8 `Map` rehashes all its entries when it doubles, in one uninterruptible step. Measured on the
 * 2-core CI machine (bench/store-collection.ts): past 524,288 entries one doubling blocked the event loop
 * 70-110 ms, so a store of 750k series could never keep its collection under 50 ms per slice, however finely
 * the appends were sliced. Split 64 ways, each part holds a 64th of the entries and its doublings stay near
 * a millisecond; a lookup costs one extra `&` and array load.
 */
const SHARDS = 64;

/** The default shard of an integer key: its low bits. */
const integerShard = (key: unknown): number => (key as number) & (SHARDS - 1);

/**
 * A shard for string keys from their length and last characters (the varying part of label-set keys):
 * cheaper than hashing the whole string, and even enough for the 64 parts.
 */
export function stringShard(key: string): number {
  const n = key.length;
  return (
    (n * 31 + key.charCodeAt(n - 1) * 7 + key.charCodeAt(n - 2) * 3 + key.charCodeAt(n - 3)) & (SHARDS - 1)
  );
}

/** A map whose growth never rehashes more than about a 64th of its entries at once. */
export class ShardedMap<V, K = number> {
  readonly #shards: Map<K, V>[] = Array.from({ length: SHARDS }, () => new Map<K, V>());
  readonly #shardOf: (key: K) => number;
  #size = 0;

  /** @param shardOf picks a key's part, 0..63 (NaN counts as 0); default: the low bits of an integer key. */
  constructor(shardOf: (key: K) => number = integerShard) {
    this.#shardOf = shardOf;
  }

  #shard(key: K): Map<K, V> {
    return this.#shards[(this.#shardOf(key) | 0) & (SHARDS - 1)]!;
  }

  get size(): number {
    return this.#size;
  }

  get(key: K): V | undefined {
    return this.#shard(key).get(key);
  }

  has(key: K): boolean {
    return this.#shard(key).has(key);
  }

  set(key: K, value: V): void {
    const shard = this.#shard(key);
    const before = shard.size;
    shard.set(key, value);
    this.#size += shard.size - before;
  }

  delete(key: K): boolean {
    const deleted = this.#shard(key).delete(key);
    if (deleted) this.#size--;
    return deleted;
  }

  clear(): void {
    for (const shard of this.#shards) shard.clear();
    this.#size = 0;
  }

  /** Every value, shard by shard (not in insertion order). */
  *values(): IterableIterator<V> {
    for (const shard of this.#shards) yield* shard.values();
  }

  /** Every entry, shard by shard; deleting the entry being visited is allowed. */
  *entries(): IterableIterator<[K, V]> {
    for (const shard of this.#shards) yield* shard.entries();
  }
}
