import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeToFit, ExponentialBuckets } from './exponential-buckets.ts';

type Operation = { kind: 'increment'; index: number; count: number } | { kind: 'downscale'; change: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('increment' as const),
      index: fc.integer({ min: -40, max: 40 }),
      count: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('downscale' as const), change: fc.integer({ min: 0, max: 3 }) }),
  },
);

describe('ExponentialBuckets', () => {
  it('holds the same counts as a plain map of index to count, through wrap-around, growth and downscaling', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 120 }),
        fc.integer({ min: 2, max: 64 }),
        (operations, maxSize) => {
          const buckets = new ExponentialBuckets();
          let model = new Map<number, number>();
          for (const op of operations) {
            if (op.kind === 'downscale') {
              buckets.downscale(op.change);
              const next = new Map<number, number>();
              for (const [index, count] of model)
                next.set(index >> op.change, (next.get(index >> op.change) ?? 0) + count);
              model = next;
              continue;
            }
            const indexes = [...model.keys(), op.index];
            const fits = Math.max(...indexes) - Math.min(...indexes) < maxSize;
            expect(buckets.increment(op.index, op.count, maxSize)).toBe(fits);
            if (fits) model.set(op.index, (model.get(op.index) ?? 0) + op.count);
          }
          if (model.size === 0) {
            expect(buckets.isEmpty).toBe(true);
            expect([buckets.offset, buckets.toArray()]).toEqual([0, []]);
            return;
          }
          const low = Math.min(...model.keys());
          const high = Math.max(...model.keys());
          expect(buckets.offset).toBe(low);
          expect(buckets.lastIndex).toBe(high);
          expect(buckets.toArray()).toEqual(
            Array.from({ length: high - low + 1 }, (_, i) => model.get(low + i) ?? 0),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('starts empty again after reset, keeping nothing of the old window', () => {
    const buckets = new ExponentialBuckets();
    for (const index of [5, 4, 3, 9]) buckets.increment(index, 1, 10);
    buckets.reset();
    expect(buckets.isEmpty).toBe(true);
    buckets.increment(-100, 2, 10);
    expect([buckets.offset, buckets.toArray()]).toEqual([-100, [2]]);
  });
});

describe('changeToFit', () => {
  it('halves the resolution until the indexes span fewer than maxSize buckets', () => {
    expect(changeToFit(0, 3, 4)).toBe(0);
    expect(changeToFit(0, 4, 4)).toBe(1);
    expect(changeToFit(-1, 1, 2)).toBe(1);
    expect(changeToFit((-1022 << 20) - 1, (1024 << 20) - 1, 2)).toBe(30);
  });
});
