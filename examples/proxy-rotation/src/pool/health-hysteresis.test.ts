import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthHysteresis } from './health-hysteresis.ts';

/** The state after `checks`, computed the slow way: scan for the last run long enough to flip it. */
function expectedHealthy(checks: readonly boolean[], k: number, m: number): boolean {
  let healthy = true;
  let streak = 0;
  for (const ok of checks) {
    streak = ok === healthy ? 0 : streak + 1;
    if (streak === (healthy ? k : m)) {
      healthy = !healthy;
      streak = 0;
    }
  }
  return healthy;
}

describe('HealthHysteresis', () => {
  it('goes down after K consecutive failures and up after M consecutive successes', () => {
    const health = new HealthHysteresis(3, 2);
    expect([false, false].map((ok) => health.record(ok))).toEqual([undefined, undefined]);
    expect(health.healthy).toBe(true);
    expect(health.record(false)).toBe('down');
    expect(health.healthy).toBe(false);
    expect(health.record(true)).toBeUndefined();
    expect(health.record(false)).toBeUndefined();
    expect(health.record(true)).toBeUndefined();
    expect(health.record(true)).toBe('up');
    expect(health.healthy).toBe(true);
  });

  it('never flips on a run shorter than its threshold, for any sequence of checks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (checks, k, m) => {
          const health = new HealthHysteresis(k, m);
          let transitions = 0;
          for (const ok of checks) if (health.record(ok) !== undefined) transitions++;
          expect(health.healthy).toBe(expectedHealthy(checks, k, m));
          expect(transitions).toBeLessThanOrEqual(Math.floor(checks.length / Math.min(k, m)));
        },
      ),
    );
  });
});
