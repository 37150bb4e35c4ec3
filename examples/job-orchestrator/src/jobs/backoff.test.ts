import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.ts';

const policy = fc.record({
  baseMs: fc.integer({ min: 1, max: 60_000 }),
  maxMs: fc.integer({ min: 1, max: 3_600_000 }),
});
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('retry delays', () => {
  it('stay between half the nominal delay and the nominal delay, never above the cap', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 5_000 }), unit, (p, retry, random) => {
        const nominal = Math.min(p.maxMs, p.baseMs * 2 ** (retry - 1));
        const delay = retryDelayMs(p, retry, () => random);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
        expect(delay).toBeLessThanOrEqual(Math.min(p.maxMs, Math.ceil(nominal)));
      }),
    );
  });

  it('double with each retry until the cap', () => {
    const p = { baseMs: 100, maxMs: 1_000 };
    const longest = (retry: number) => retryDelayMs(p, retry, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 30].map(longest)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(retryDelayMs(p, 3, () => 0)).toBe(200);
  });
});
