import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardedMap, stringShard } from './sharded-map.ts';

describe('ShardedMap', () => {
  it('behaves like a Map for any sequence of sets and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 5_000 }), fc.integer()), { maxLength: 300 }),
        (ops) => {
          const sharded = new ShardedMap<number>();
          const reference = new Map<number, number>();
          for (const [set, key, value] of ops) {
            if (set) {
              sharded.set(key, value);
              reference.set(key, value);
            } else {
              expect(sharded.delete(key)).toBe(reference.delete(key));
            }
            expect(sharded.size).toBe(reference.size);
            expect(sharded.get(key)).toBe(reference.get(key));
            expect(sharded.has(key)).toBe(reference.has(key));
          }
          expect([...sharded.values()].sort((a, b) => a - b)).toEqual(
            [...reference.values()].sort((a, b) => a - b),
          );
          sharded.clear();
          expect(sharded.size).toBe(0);
        },
      ),
    );
  });

  it('keeps string keys apart with the string shard, including short ones', () => {
    const map = new ShardedMap<number, string>(stringShard);
    const keys = ['', 'a', 'ab', '{__name__="up"}', '{__name__="up",job="x"}'];
    for (const [i, key] of keys.entries()) map.set(key, i);
    for (const [i, key] of keys.entries()) expect(map.get(key)).toBe(i);
    expect([...map.entries()]).toHaveLength(keys.length);
  });

  it('takes the full 32-bit range of label-set hashes', () => {
    const map = new ShardedMap<string>();
    map.set(0xffffffff, 'top');
    map.set(2 ** 31, 'middle');
    expect(map.get(0xffffffff)).toBe('top');
    expect(map.get(2 ** 31)).toBe('middle');
    expect(map.size).toBe(2);
  });
});
