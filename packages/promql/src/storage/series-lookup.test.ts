import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Labels } from './queryable.ts';
import { hashLabels, type LookupEntry, SeriesLookup } from './series-lookup.ts';

function entry(labels: Labels, hash: number): LookupEntry {
  return { labels, labelCount: Object.keys(labels).length, hash };
}

describe('series lookup', () => {
  it('hashes a label set the same whatever its key order and whatever empty labels it carries', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string({ minLength: 1 })), fc.string(), (labels, extra) => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        const withEmpty = { ...labels, [`${extra}\u0000empty`]: '' };
        expect(hashLabels(reversed)).toEqual(hashLabels(labels));
        expect(hashLabels(withEmpty)).toEqual(hashLabels(labels));
        expect(hashLabels(labels).count).toBe(Object.keys(labels).length);
      }),
    );
  });

  it('tells apart label sets that differ only in where a name ends and its value starts', () => {
    expect(hashLabels({ ab: 'c' }).hash).not.toBe(hashLabels({ a: 'bc' }).hash);
  });

  it('finds the right entry when hashes collide, and forgets deleted ones', () => {
    const lookup = new SeriesLookup<LookupEntry>();
    const a = entry({ job: 'a' }, 7);
    const b = entry({ job: 'b' }, 7);
    const c = entry({ job: 'b', env: 'x' }, 7);
    lookup.add(a);
    lookup.add(b);
    lookup.add(c);
    expect(lookup.get({ job: 'b' }, 7, 1)).toBe(b);
    expect(lookup.get({ env: 'x', job: 'b' }, 7, 2)).toBe(c);
    expect(lookup.get({ job: 'a' }, 7, 1)).toBe(a);
    expect(lookup.get({ job: 'c' }, 7, 1)).toBeUndefined();
    lookup.delete(b);
    lookup.delete(c);
    expect(lookup.get({ job: 'b' }, 7, 1)).toBeUndefined();
    expect(lookup.get({ job: 'a' }, 7, 1)).toBe(a);
    lookup.delete(a);
    expect(lookup.get({ job: 'a' }, 7, 1)).toBeUndefined();
  });
});
