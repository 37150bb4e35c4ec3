/**
 * Finds the series of a label set on the append path without building a string key: an
 * order-independent hash of the labels picks a bucket, and the labels are compared to confirm.
 * Prometheus's head does the same (hash, then compare). Measured: about 3x the appends per second of a
 * sorted, concatenated string key in a `Map`, and no allocation when the series exists.
 */
import type { Labels } from './queryable.ts';
import { ShardedMap } from './sharded-map.ts';

/** What the lookup needs of a series: its stored (sorted, non-empty) labels and their count. */
export interface LookupEntry {
  readonly labels: Labels;
  readonly labelCount: number;
  readonly hash: number;
}

// Above every UTF-16 code unit, so it cannot be confused with a character of a name or value.
const separator = 0x10000;

function fnv1a(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash;
}

/** MurmurHash3's finaliser: spreads the bits so that summing per-label hashes stays well distributed. */
function mix(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Hash and count of the non-empty labels of a label set; the same whatever the key order. */
export function hashLabels(labels: Labels): { hash: number; count: number } {
  let hash = 0;
  let count = 0;
  for (const name in labels) {
    const value = labels[name]!;
    if (value === '') continue;
    // Summing makes the hash independent of key order, so no sort is needed.
    hash = (hash + mix(fnv1a(Math.imul(fnv1a(0x811c9dc5, name) ^ separator, 16777619), value))) | 0;
    count++;
  }
  return { hash: hash >>> 0, count };
}

function sameLabels(entry: LookupEntry, labels: Labels, count: number): boolean {
  if (entry.labelCount !== count) return false;
  for (const name in entry.labels) if (labels[name] !== entry.labels[name]) return false;
  return true;
}

/** Label set → entry, by hash with collision lists. */
export class SeriesLookup<Entry extends LookupEntry> {
  // Nearly every bucket holds one entry; only a collision turns it into an array.
  // Sharded: one Map of 750k label sets blocked the event loop ~100 ms each time it doubled (sharded-map.ts).
  readonly #buckets = new ShardedMap<Entry | Entry[]>();

  /** The entry whose labels equal the non-empty labels of `labels`. */
  get(labels: Labels, hash: number, count: number): Entry | undefined {
    const bucket = this.#buckets.get(hash);
    if (bucket === undefined) return undefined;
    if (!Array.isArray(bucket)) return sameLabels(bucket, labels, count) ? bucket : undefined;
    return bucket.find((entry) => sameLabels(entry, labels, count));
  }

  /** Adds an entry that {@link get} did not find. */
  add(entry: Entry): void {
    const bucket = this.#buckets.get(entry.hash);
    if (bucket === undefined) this.#buckets.set(entry.hash, entry);
    else if (Array.isArray(bucket)) bucket.push(entry);
    else this.#buckets.set(entry.hash, [bucket, entry]);
  }

  /** Removes an entry. */
  delete(entry: Entry): void {
    const bucket = this.#buckets.get(entry.hash);
    if (bucket === entry) this.#buckets.delete(entry.hash);
    else if (Array.isArray(bucket)) {
      const rest = bucket.filter((other) => other !== entry);
      this.#buckets.set(entry.hash, rest.length === 1 ? rest[0]! : rest);
    }
  }

  /** Removes every entry. */
  clear(): void {
    this.#buckets.clear();
  }
}
