import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickProxy, type RotationCandidate, type RotationStrategy } from './rotation.ts';

const candidate = fc.record({
  healthy: fc.boolean(),
  inFlight: fc.integer({ min: 0, max: 5 }),
  uses: fc.integer({ min: 0, max: 100 }),
});
const strategy = fc.constantFrom<RotationStrategy>('round-robin', 'least-used');
const eligible = (c: RotationCandidate, max: number) => c.healthy && c.inFlight < max;

describe('pickProxy', () => {
  it('picks an eligible proxy whenever there is one, and -1 only when there is none', () => {
    fc.assert(
      fc.property(
        strategy,
        fc.array(candidate, { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (s, cs, max, cursor) => {
          const index = pickProxy(s, cs, max, cursor);
          if (cs.some((c) => eligible(c, max))) expect(eligible(cs[index]!, max)).toBe(true);
          else expect(index).toBe(-1);
        },
      ),
    );
  });

  it('gives each of n eligible proxies one of n consecutive round-robin picks', () => {
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 12 }), fc.nat(), (cs, start) => {
        const eligibleCount = cs.filter((c) => eligible(c, 3)).length;
        let cursor = start;
        const picked = new Set<number>();
        for (let i = 0; i < eligibleCount; i++) {
          const index = pickProxy('round-robin', cs, 3, cursor);
          picked.add(index);
          cursor = index + 1;
        }
        expect(picked.size).toBe(eligibleCount);
      }),
    );
  });

  it('sends least-used picks to the proxy with the fewest requests in flight, then the fewest uses', () => {
    const cs: RotationCandidate[] = [
      { healthy: true, inFlight: 2, uses: 0 },
      { healthy: false, inFlight: 0, uses: 0 },
      { healthy: true, inFlight: 1, uses: 9 },
      { healthy: true, inFlight: 1, uses: 4 },
    ];
    expect(pickProxy('least-used', cs, 4, 0)).toBe(3);
    expect(pickProxy('least-used', cs, 1, 0)).toBe(-1);
  });

  it('skips unhealthy and full proxies in round robin, wrapping around from the cursor', () => {
    const cs: RotationCandidate[] = [
      { healthy: true, inFlight: 0, uses: 0 },
      { healthy: false, inFlight: 0, uses: 0 },
      { healthy: true, inFlight: 2, uses: 0 },
    ];
    expect(pickProxy('round-robin', cs, 2, 1)).toBe(0);
    expect(pickProxy('round-robin', [], 2, 0)).toBe(-1);
  });
});
