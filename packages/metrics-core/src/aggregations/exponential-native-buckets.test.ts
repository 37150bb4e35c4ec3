import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExponentialHistogramCell } from './exponential-histogram.ts';
import { mapToIndex, scaleFactorOf } from './exponential-mapping.ts';
import { type NativeSide, toNativeBuckets } from './exponential-native-buckets.ts';

/** Expands spans and counts into index -> count. */
function byIndex(side: NativeSide): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let bucket = 0;
  for (const span of side.spans) {
    index += span.offset;
    for (let j = 0; j < span.length; j++) out.set(index++, side.counts[bucket++]!);
  }
  expect(bucket).toBe(side.counts.length);
  return out;
}

/** Prometheus's bucket of `|value|` at `schema`: the k with base^(k-1) < |value| <= base^k. */
function prometheusIndex(magnitude: number, schema: number): number {
  // Exact for powers of two; the tests pick values away from other boundaries.
  return Math.ceil(Math.log2(magnitude) * 2 ** schema);
}

describe('toNativeBuckets', () => {
  it('numbers buckets as Prometheus does: (base^(k-1), base^k] is bucket k', () => {
    const cell = new ExponentialHistogramCell({ maxScale: 0 });
    for (const value of [1, 2, 3, 4, -3, 0]) cell.record(value);
    const native = toNativeBuckets(cell.snapshot())!;
    expect(native.schema).toBe(0);
    expect(native.zeroCount).toBe(1);
    // 1 -> bucket 0 ((0.5, 1]); 2 -> 1; 3 and 4 -> 2 ((2, 4]).
    expect(native.positive).toEqual({ spans: [{ offset: 0, length: 3 }], counts: [1, 1, 2] });
    expect(native.negative).toEqual({ spans: [{ offset: 2, length: 1 }], counts: [1] });
  });

  it('breaks spans at gaps, offsets counting from the end of the previous span', () => {
    const cell = new ExponentialHistogramCell({ maxScale: 0 });
    for (const value of [1, 16, 32]) cell.record(value);
    const native = toNativeBuckets(cell.snapshot())!;
    expect(native.positive).toEqual({
      spans: [
        { offset: 0, length: 1 },
        { offset: 3, length: 2 },
      ],
      counts: [1, 1, 1],
    });
  });

  it('merges scales above 8 down to schema 8 and keeps every count', () => {
    const cell = new ExponentialHistogramCell({ maxScale: 12 });
    for (const value of [1.0001, 1.0002, 1.0003, 1.01]) cell.record(value);
    expect(cell.snapshot().scale).toBe(12);
    const native = toNativeBuckets(cell.snapshot())!;
    expect(native.schema).toBe(8);
    const buckets = byIndex(native.positive);
    expect(buckets.get(prometheusIndex(1.0001, 8))).toBe(3);
    expect(buckets.get(prometheusIndex(1.01, 8))).toBe(1);
  });

  it('has no native form below schema -4', () => {
    const cell = new ExponentialHistogramCell({ maxScale: -5 });
    cell.record(10);
    expect(toNativeBuckets(cell.snapshot())).toBeUndefined();
  });

  it('puts every recorded value in bucket floor(otelIndex / 2^(scale - schema)) + 1 (property)', () => {
    const magnitude = fc.oneof(
      fc.double({ min: 1e-300, max: 1e300, noNaN: true }),
      fc.integer({ min: -1022, max: 1023 }).map((e) => 2 ** e),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(magnitude, fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: -10, max: 20 }),
        fc.integer({ min: 2, max: 40 }),
        (values, maxScale, maxSize) => {
          const cell = new ExponentialHistogramCell({ maxScale, maxSize });
          for (const [m, negative] of values) cell.record(negative ? -m : m);
          const snapshot = cell.snapshot();
          const native = toNativeBuckets(snapshot);
          if (snapshot.scale < -4) {
            expect(native).toBeUndefined();
            return;
          }
          expect(native!.schema).toBe(Math.min(snapshot.scale, 8));
          const shift = snapshot.scale - native!.schema;
          const expected = { positive: new Map<number, number>(), negative: new Map<number, number>() };
          for (const [m, negative] of values) {
            // The core's own mapping at the snapshot's scale, then Prometheus's numbering at the schema.
            const otelIndex = mapToIndex(m, snapshot.scale, scaleFactorOf(snapshot.scale));
            const index = Math.floor(otelIndex / 2 ** shift) + 1;
            const side = negative ? expected.negative : expected.positive;
            side.set(index, (side.get(index) ?? 0) + 1);
          }
          expect(byIndex(native!.positive)).toEqual(expected.positive);
          expect(byIndex(native!.negative)).toEqual(expected.negative);
        },
      ),
      { numRuns: 300 },
    );
  });
});
