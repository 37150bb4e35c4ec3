import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../parser/parse-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant } from './evaluate.ts';
import { labelsHash, xxhash64 } from './label-hash.ts';

const experimental = { experimentalFunctions: true };

const bytes = (text: string) => new TextEncoder().encode(text);

describe('xxhash64', () => {
  it('matches the reference XXH64 vectors (seed 0)', () => {
    expect(xxhash64(bytes('')).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(bytes('a')).toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxhash64(bytes('abc')).toString(16)).toBe('44bc2cf5ad770999');
    expect(xxhash64(bytes('Nobody inspects the spammish repetition')).toString(16)).toBe('fbcea83c8a378bf1');
  });

  it('does not depend on the order labels were written in', () => {
    expect(labelsHash({ a: '1', b: '2' })).toBe(labelsHash({ b: '2', a: '1' }));
    expect(labelsHash({ a: '1', b: '2' })).not.toBe(labelsHash({ a: '12' }));
  });
});

describe('limit_ratio', () => {
  it('splits the series into complementary samples for r and -(1 - r)', () => {
    const store = new SampleStore();
    for (let i = 0; i < 40; i++) store.append({ __name__: 'x', i: String(i) }, 0, i);
    const count = (q: string): number => {
      const { value } = evaluateInstant(store, parseExpr(q, experimental), 0);
      return value.type === 'vector' ? value.samples.length : -1;
    };
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), (r) => {
        const some = `limit_ratio(${r}, x)`;
        const rest = `limit_ratio(${-(1 - r)}, x)`;
        return count(`${some} or ${rest}`) === 40 && count(`${some} and ${rest}`) === 0;
      }),
      { numRuns: 30 },
    );
    expect(count('limit_ratio(1, x)')).toBe(40);
    expect(count('limit_ratio(0, x)')).toBe(0);
  });

  it('warns when the ratio is capped and fails on NaN', () => {
    const store = new SampleStore();
    store.append({ __name__: 'x' }, 0, 1);
    const r = evaluateInstant(store, parseExpr('limit_ratio(1.1, x)', experimental), 0);
    expect(r.warnings).toEqual([
      'PromQL warning: ratio value should be between -1 and 1, got 1.1, capping to 1',
    ]);
    expect(() => evaluateInstant(store, parseExpr('limit_ratio(NaN, x)', experimental), 0)).toThrow(
      'Ratio value is NaN',
    );
  });
});
