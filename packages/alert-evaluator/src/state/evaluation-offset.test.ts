import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupEvaluationOffsetMs, xxhash64 } from './evaluation-offset.ts';

const hex = (s: string) => xxhash64(Buffer.from(s)).toString(16).padStart(16, '0');

describe('xxhash64', () => {
  it('matches the reference xxHash64 digests (seed 0) for inputs of every length class', () => {
    expect(hex('')).toBe('ef46db3751d8e999');
    expect(hex('a')).toBe('d24ec4f1a98c6e5b');
    expect(hex('abc')).toBe('44bc2cf5ad770999');
    expect(hex('Nobody inspects the spammish repetition')).toBe('fbcea83c8a378bf1');
  });
});

describe('groupEvaluationOffsetMs', () => {
  it('stays within the interval and is the same for the same group and file', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 1, max: 86_400_000 }),
        (name, file, interval) => {
          const off = groupEvaluationOffsetMs(name, file, interval);
          expect(off).toBeGreaterThanOrEqual(0);
          expect(off).toBeLessThan(interval);
          expect(groupEvaluationOffsetMs(name, file, interval)).toBe(off);
        },
      ),
    );
  });

  it('spreads groups of the same interval over it', () => {
    const offsets = new Set(
      Array.from({ length: 50 }, (_, i) => groupEvaluationOffsetMs(`group-${i}`, 'rules.yml', 60_000)),
    );
    expect(offsets.size).toBeGreaterThan(45);
  });
});
