import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROMETHEUS_MAX_POINTS_PER_SERIES, splitRange } from './range-split.ts';

describe('splitRange', () => {
  it('keeps 90 days at 5m in three requests under Prometheus limit', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const chunks = splitRange(start, start + 90 * 86_400_000, 300_000);
    expect(chunks.map((c) => c.points)).toEqual([11_000, 11_000, 3_921]);
    expect(chunks[1]!.start).toBe(chunks[0]!.end + 300_000);
  });

  it('covers exactly the single-request step grid, in order, within the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 500_000_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 1, max: PROMETHEUS_MAX_POINTS_PER_SERIES }),
        (start, length, step, maxPoints) => {
          fc.pre(length / step < 200_000);
          const chunks = splitRange(start, start + length, step, maxPoints);
          const grid: number[] = [];
          for (const chunk of chunks) {
            expect(chunk.points).toBeLessThanOrEqual(maxPoints);
            expect((chunk.end - chunk.start) / step).toBe(chunk.points - 1);
            for (let i = 0; i < chunk.points; i++) grid.push(chunk.start + i * step);
          }
          expect(grid.length).toBe(Math.floor(length / step) + 1);
          expect(grid).toEqual(grid.map((_, i) => start + i * step));
          expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });
});
