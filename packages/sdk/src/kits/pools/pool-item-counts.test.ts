import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poolItemCounts } from './pool-item-counts.ts';

/** A real pool's state and which of its numbers the callbacks reveal. */
const poolAndView = fc.record({
  idle: fc.nat(1_000),
  used: fc.nat(1_000),
  unhealthy: fc.nat(1_000),
  shows: fc.record({
    size: fc.boolean(),
    idle: fc.boolean(),
    inUse: fc.boolean(),
    unhealthy: fc.boolean(),
    leases: fc.boolean(),
  }),
});

describe('poolItemCounts', () => {
  it('reports every given reading unchanged and never a negative count', () => {
    fc.assert(
      fc.property(poolAndView, ({ idle, used, unhealthy, shows }) => {
        const size = idle + used + unhealthy;
        const counts = poolItemCounts(
          {
            size: shows.size ? size : undefined,
            idle: shows.idle ? idle : undefined,
            inUse: shows.inUse ? used : undefined,
            unhealthy: shows.unhealthy ? unhealthy : undefined,
          },
          shows.leases ? used : undefined,
        );
        if (shows.idle) expect(counts.idle).toBe(idle);
        if (shows.inUse || shows.leases) expect(counts.used).toBe(used);
        expect(counts.unhealthy).toBe(shows.unhealthy ? unhealthy : undefined);
        for (const count of [counts.idle, counts.used, counts.unhealthy]) {
          if (count !== undefined) expect(count).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('adds up to size() unless idle and in-use are both known and the unhealthy count is not', () => {
    fc.assert(
      fc.property(poolAndView, ({ idle, used, unhealthy, shows }) => {
        const size = idle + used + unhealthy;
        fc.pre(!(shows.idle && (shows.inUse || shows.leases) && !shows.unhealthy));
        const counts = poolItemCounts(
          {
            size,
            idle: shows.idle ? idle : undefined,
            inUse: shows.inUse ? used : undefined,
            unhealthy: shows.unhealthy ? unhealthy : undefined,
          },
          shows.leases ? used : undefined,
        );
        expect((counts.idle ?? 0) + (counts.used ?? 0) + (counts.unhealthy ?? 0)).toBe(size);
      }),
    );
  });

  it('reports no idle or used series when neither a callback nor a lease nor size() tells them', () => {
    const counts = poolItemCounts(
      { size: undefined, idle: undefined, inUse: undefined, unhealthy: 2 },
      undefined,
    );
    expect(counts).toEqual({ idle: undefined, used: undefined, unhealthy: 2 });
  });

  it('clamps a derived count at 0 when callbacks read at different moments disagree', () => {
    const counts = poolItemCounts({ size: 3, idle: 5, inUse: undefined, unhealthy: undefined }, undefined);
    expect(counts).toEqual({ idle: 5, used: 0, unhealthy: undefined });
  });
});
