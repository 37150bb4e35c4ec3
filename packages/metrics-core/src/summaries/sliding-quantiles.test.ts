import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExponentialHistogramCell } from '../aggregations/exponential-histogram.ts';
import { SlidingQuantiles } from './sliding-quantiles.ts';

const QUANTILES = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** The value of rank floor(q * (n - 1)) among `values` sorted: what the estimates are checked against. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

function window(maxAgeMs: number, ageBuckets: number, maxBuckets = 320): SlidingQuantiles {
  return new SlidingQuantiles({ maxAgeMs, ageBuckets, maxBuckets });
}

/** The window's quantiles once the (fake) monotonic clock reads `atMs`. */
function quantilesAt(w: SlidingQuantiles, atMs: number, qs: readonly number[] = QUANTILES) {
  vi.advanceTimersByTime(atMs - performance.now());
  const out: number[] = [];
  const bound = w.quantiles(qs, new ExponentialHistogramCell({ maxSize: 320 }), out);
  return { values: out, bound };
}

/** Records `value` once the (fake) monotonic clock reads `atMs`. */
function recordAt(w: SlidingQuantiles, value: number, atMs: number): void {
  vi.advanceTimersByTime(atMs - performance.now());
  w.record(value);
}

/**
 * Values a latency or size could take: any sign, zeros, repeats, ten decades. Not subnormals: the mapping
 * counts them as 2^-1022, so no relative bound holds for them.
 */
const value = fc.oneof(
  fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
  fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((v) => v === 0 || Math.abs(v) >= 2 ** -1022),
  fc.integer({ min: -5, max: 5 }),
  fc.constant(0),
);

describe('sliding quantiles', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives every quantile within its stated relative error of the exact value at that rank', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 2, max: 400 }),
        (values, maxBuckets) => {
          // Each run starts its own clock at 0.
          vi.useRealTimers();
          vi.useFakeTimers({ toFake: ['performance'], now: 0 });
          const w = window(60_000, 3, maxBuckets);
          for (const v of values) recordAt(w, v, 1000);
          const { values: estimates, bound } = quantilesAt(w, 2000);
          const sorted = [...values].sort((a, b) => a - b);
          expect(bound).toBeGreaterThan(0);
          for (const [i, q] of QUANTILES.entries()) {
            const exact = exactQuantile(sorted, q);
            // 1e-12: the log mapping may put a value within ~1e-13 of a boundary in the neighbouring bucket.
            expect(Math.abs((estimates[i] as number) - exact)).toBeLessThanOrEqual(
              bound * Math.abs(exact) + 1e-12 * Math.abs(exact),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is within about 1% on latencies spanning three decades with the default 320 buckets', () => {
    const random = fc.sample(fc.double({ min: Math.log(0.001), max: Math.log(1), noNaN: true }), {
      numRuns: 50_000,
      seed: 7,
    });
    const w = window(600_000, 5);
    const latencies = random.map((l) => Math.exp(l));
    for (const v of latencies) recordAt(w, v, 0);
    const { values, bound } = quantilesAt(w, 0);
    expect(bound).toBeLessThan(0.012);
    const sorted = latencies.sort((a, b) => a - b);
    for (const [i, q] of QUANTILES.entries()) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs((values[i] as number) - exact) / exact).toBeLessThanOrEqual(bound + 1e-12);
    }
  });

  it('reports exact min and max for quantiles 0 and 1, and NaN when empty', () => {
    const w = window(10_000, 2);
    expect(quantilesAt(w, 0, [0.5]).values).toEqual([Number.NaN]);
    for (const v of [3.7, 0.2, 12.9]) recordAt(w, v, 0);
    const { values } = quantilesAt(w, 0, [0, 1]);
    expect(values).toEqual([0.2, 12.9]);
  });

  it('forgets values once the window has moved past them, a period at a time', () => {
    // 10 s in 5 periods of 2 s: a value counts for between 8 and 10 s.
    const w = window(10_000, 5);
    recordAt(w, 100, 0);
    recordAt(w, 1, 3_000);
    expect(quantilesAt(w, 7_999, [1]).values).toEqual([100]);
    expect(quantilesAt(w, 9_999, [1]).values).toEqual([100]);
    // At 10 s the period that held the value recorded at 0 is reused for new values.
    expect(quantilesAt(w, 10_000, [1]).values).toEqual([1]);
    // The value recorded at 3 s sits in the period [2 s, 4 s): gone at 12 s.
    expect(quantilesAt(w, 11_999, [0.5]).values).toEqual([1]);
    expect(quantilesAt(w, 12_000, [0.5]).values).toEqual([Number.NaN]);
  });

  it('moves past several periods at once after a long silence and keeps recording', () => {
    const w = window(10_000, 5);
    recordAt(w, 5, 0);
    recordAt(w, 7, 1_000_000);
    expect(quantilesAt(w, 1_000_001, [0, 1]).values).toEqual([7, 7]);
    recordAt(w, 9, 1_001_000);
    expect(quantilesAt(w, 1_001_001, [0, 1]).values).toEqual([7, 9]);
  });

  it('keeps every value with an infinite max age', () => {
    const w = window(Number.POSITIVE_INFINITY, 5);
    recordAt(w, 1, 0);
    recordAt(w, 2, 1e12);
    expect(quantilesAt(w, 2e12, [0, 1]).values).toEqual([1, 2]);
  });
});
