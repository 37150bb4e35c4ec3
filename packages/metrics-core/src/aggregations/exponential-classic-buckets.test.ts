import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toClassicBuckets } from './exponential-classic-buckets.ts';
import { ExponentialHistogramCell, type ExponentialHistogramOptions } from './exponential-histogram.ts';

function classicOf(values: readonly number[], options: ExponentialHistogramOptions) {
  const cell = new ExponentialHistogramCell(options);
  for (const value of values) cell.record(value);
  return { snapshot: cell.snapshot(), classic: toClassicBuckets(cell.snapshot()) };
}

/** The counts of `values` binned by `le` semantics: `(boundaries[i-1], boundaries[i]]`, and past the last. */
function binned(values: readonly number[], boundaries: readonly number[]) {
  const counts = new Array<number>(boundaries.length).fill(0);
  let above = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    const i = boundaries.findIndex((le) => value <= le);
    if (i === -1) above++;
    else counts[i]!++;
  }
  return { counts, above };
}

const MIN_NORMAL = 2 ** -1022;

function nextDown(x: number): number {
  const bits = new BigUint64Array(new Float64Array([x]).buffer);
  bits[0]! -= 1n;
  return new Float64Array(bits.buffer)[0]!;
}

const value = fc.oneof(
  fc.double(),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.double({ min: -MIN_NORMAL, max: MIN_NORMAL, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -1074, max: 1023 }).chain((e) => fc.constantFrom(2 ** e, -(2 ** e))),
  fc.constantFrom(0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE),
);

describe('toClassicBuckets', () => {
  it('gives ascending boundaries whose le bins hold exactly the recorded values', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 200 }),
        fc.integer({ min: 2, max: 200 }),
        fc.integer({ min: -10, max: 20 }),
        (values, maxSize, maxScale) => {
          const { snapshot, classic } = classicOf(values, { maxSize, maxScale });
          for (let i = 1; i < classic.boundaries.length; i++) {
            expect(classic.boundaries[i]!).toBeGreaterThan(classic.boundaries[i - 1]!);
          }
          expect(classic.counts.reduce((a, b) => a + b, 0)).toBe(snapshot.count);
          expect(binned(values, classic.boundaries)).toEqual({ counts: classic.counts, above: 0 });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps le exact for the neighbours of powers of two at scales <= 0, where the mapping is exact', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .integer({ min: -1021, max: 1023 })
            .chain((e) => fc.constantFrom(nextDown(2 ** e), -nextDown(2 ** e), 2 ** e, -(2 ** e))),
          { maxLength: 100 },
        ),
        fc.integer({ min: -10, max: 0 }),
        (values, maxScale) => {
          const { classic } = classicOf(values, { maxScale });
          expect(binned(values, classic.boundaries)).toEqual({ counts: classic.counts, above: 0 });
        },
      ),
    );
  });

  it('writes negative buckets below the zero bucket, each le just under the bucket it excludes', () => {
    const { classic } = classicOf([-3, -2, -2, -1.5, -0, 0, 1, 1.5, 2, 2, 3], { maxScale: 0 });
    // At scale 0, magnitudes (2, 4] are the values [-4, -2): -3 only; -2 and -1.5 are in [-2, -1).
    expect(classic).toEqual({
      boundaries: [-2.0000000000000004, -1.0000000000000002, 0, 1, 2, 4],
      counts: [1, 3, 2, 1, 3, 1],
    });
  });

  it('closes the top bucket at the largest double and the bottom negative one at -Number.MIN_VALUE', () => {
    const { snapshot, classic } = classicOf(
      [Number.MAX_VALUE, -Number.MIN_VALUE, -MIN_NORMAL, Number.MIN_VALUE],
      {},
    );
    // 2^-1074 to 2^1024 in 160 buckets: scale -4, buckets of 16 octaves, the lowest (2^-1024, 2^-1008].
    expect(snapshot.scale).toBe(-4);
    expect(classic.boundaries).toEqual([-Number.MIN_VALUE, 2 ** -1008, Number.MAX_VALUE]);
    expect(classic.counts).toEqual([2, 1, 1]);
  });

  it('gives nothing for an empty histogram', () => {
    expect(classicOf([], {}).classic).toEqual({ boundaries: [], counts: [] });
  });
});
