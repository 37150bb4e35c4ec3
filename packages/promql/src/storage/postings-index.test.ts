import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMatcher } from './label-matcher.ts';
import { PostingsIndex } from './postings-index.ts';
import type { LabelMatcher, Labels } from './queryable.ts';

const value = fc.constantFrom('a', 'b', 'c', 'ab');
const labels = fc.record({ job: value, env: value, zone: value }, { requiredKeys: [] });
const matcher: fc.Arbitrary<LabelMatcher> = fc.record({
  type: fc.constantFrom('=', '!=', '=~', '!~'),
  name: fc.constantFrom('job', 'env', 'zone'),
  value: fc.constantFrom('', 'a', 'b', 'a|b', 'a.*', '.*', '.+'),
});

function naive(set: Labels, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every(({ type, name, value: wanted }) => {
    const actual = set[name] ?? '';
    const regex = new RegExp(`^(?:${wanted})$`);
    if (type === '=') return actual === wanted;
    if (type === '!=') return actual !== wanted;
    return type === '=~' ? regex.test(actual) : !regex.test(actual);
  });
}

describe('PostingsIndex', () => {
  it('selects exactly the remaining series that match, after any removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(labels, fc.boolean()), { maxLength: 40 }),
        fc.array(matcher, { maxLength: 3 }),
        (series, matchers) => {
          const index = new PostingsIndex();
          series.forEach(([set], id) => {
            index.add(id, set);
          });
          index.remove(series.flatMap(([set, removed], id) => (removed ? [{ id, labels: set }] : [])));
          const expected = series.flatMap(([set, removed], id) =>
            !removed && naive(set, matchers) ? [id] : [],
          );
          expect([...index.select(matchers.map(compileMatcher))]).toEqual(expected);
          const remaining = series.filter(([, removed]) => !removed).map(([set]) => set);
          expect(index.labelValues('job').sort()).toEqual(
            [...new Set(remaining.flatMap((set) => (set.job === undefined ? [] : [set.job])))].sort(),
          );
          expect(index.labelNames().sort()).toEqual([...new Set(remaining.flatMap(Object.keys))].sort());
        },
      ),
    );
  });
});
