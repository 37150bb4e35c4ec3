import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.ts';

describe('MinHeap', () => {
  it('pops items in ascending key order, for any pushes interleaved with pops', () => {
    const operation = fc.oneof(fc.double({ noNaN: true }), fc.constant('pop' as const));
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const heap = new MinHeap<number>();
        const model: number[] = [];
        for (const op of operations) {
          if (op === 'pop') {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.push(op, op);
            model.push(op);
          }
          expect(heap.size).toBe(model.length);
        }
      }),
    );
  });
});
