import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeTrie } from './attribute-trie.ts';

const attributeSet = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'd'),
  fc.oneof(fc.constantFrom('x', 'y', ''), fc.integer({ min: 0, max: 3 }), fc.boolean()),
  { maxKeys: 4 },
);

/** The listed pairs of a set, in the set's own order: what the trie keys on. */
const pairsKey = (attributes: Record<string, unknown>) => JSON.stringify(Object.entries(attributes));

describe('AttributeTrie', () => {
  it('behaves like a map keyed by the listed pairs, for sets that are prefixes of each other too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(attributeSet, fc.integer()), { maxLength: 60 }),
        fc.array(attributeSet, { maxLength: 30 }),
        (writes, reads) => {
          const trie = new AttributeTrie<{ v: number }>();
          const reference = new Map<string, { v: number }>();
          for (const [attributes, v] of writes) {
            const leaf = { v };
            trie.set(attributes, leaf);
            reference.set(pairsKey(attributes), leaf);
          }
          expect(trie.size).toBe(reference.size);
          for (const attributes of [...writes.map(([a]) => a), ...reads]) {
            expect(trie.get(attributes)).toBe(reference.get(pairsKey(attributes)));
          }
        },
      ),
    );
  });

  it('keeps a shorter set when a longer one extends it, and the other way round', () => {
    const trie = new AttributeTrie<string>();
    trie.set({ a: 1 }, 'short');
    trie.set({ a: 1, b: 2 }, 'long');
    expect(trie.get({ a: 1 })).toBe('short');
    expect(trie.get({ a: 1, b: 2 })).toBe('long');
    trie.set({ c: 1, d: 2 }, 'long first');
    trie.set({ c: 1 }, 'short after');
    expect(trie.get({ c: 1 })).toBe('short after');
    expect(trie.get({ c: 1, d: 2 })).toBe('long first');
    expect(trie.get({})).toBeUndefined();
    trie.set({}, 'empty');
    expect(trie.get({})).toBe('empty');
    expect(trie.size).toBe(5);
  });

  it('does not cache sets with array values', () => {
    const trie = new AttributeTrie<string>();
    trie.set({ a: ['x'] }, 'array');
    expect(trie.size).toBe(0);
    expect(trie.get({ a: ['x'] })).toBeUndefined();
  });
});
