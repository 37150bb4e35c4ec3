import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySeries, samplesPerChunk } from './memory-series.ts';
import { STALE_NAN } from './queryable.ts';

/** A float64 given by its exact bit pattern (as a 16-hex-digit string, for readable failures). */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function bitsOf(values: Float64Array): string[] {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  return Array.from({ length: values.length }, (_, i) =>
    view
      .getBigUint64(i * 8, true)
      .toString(16)
      .padStart(16, '0'),
  );
}

const anyBits = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((b) => b.toString(16).padStart(16, '0'));
const specialBits = fc.constantFrom(
  '7ff0000000000002', // STALE_NAN
  '7ff8000000000001', // quiet NaN with payload
  'fff8000000000000', // negative quiet NaN
  '7ff0000000000000', // +Inf
  'fff0000000000000', // -Inf
  '8000000000000000', // -0
  '0000000000000000',
  '0000000000000001', // smallest subnormal
  '3ff0000000000000', // 1
  '4059000000000000', // 100
);
// Runs of repeated or slowly changing values exercise the XOR window reuse, as real scrapes do.
const valueBits = fc.oneof(
  anyBits,
  specialBits,
  fc.integer({ min: 0, max: 3 }).map((n) => `40${n}0000000000000`),
);
const step = fc.oneof(
  fc.constant(15_000),
  // Steps whose differences land on the edges of the delta-of-delta buckets (14, 17, 20 bits).
  fc.constantFrom(1, 8192, 8193, 8194, 65536, 65537, 65538, 524288, 524289, 524290),
  fc.integer({ min: 1, max: 20_000 }),
  fc.integer({ min: 1, max: 2 ** 40 }),
);
const samples = fc
  .tuple(
    fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
    fc.array(fc.tuple(step, valueBits), { maxLength: 400, size: 'max' }),
  )
  .map(([start, steps]) => {
    let t = start;
    return steps.map(([delta, bits]) => {
      t += delta;
      return { t, bits };
    });
  });

describe('MemorySeries', () => {
  it('returns every appended sample bit-exact and in order, for any timestamps and float bit patterns', () => {
    fc.assert(
      fc.property(samples, (appended) => {
        const series = new MemorySeries(0, {}, 0);
        for (const { t, bits } of appended) expect(series.append(t, fromBits(bits))).toBe(true);
        expect(series.sampleCount).toBe(appended.length);
        expect(series.chunkCount).toBe(Math.ceil(appended.length / samplesPerChunk));
        const window = series.read(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
        expect(window?.timestamps ? [...window.timestamps] : []).toEqual(appended.map((s) => s.t));
        expect(window ? bitsOf(window.values) : []).toEqual(appended.map((s) => s.bits));
      }),
      { numRuns: 200 },
    );
  });

  it('returns exactly the samples inside any window', () => {
    fc.assert(
      fc.property(samples, fc.double({ noNaN: true }), fc.double({ noNaN: true }), (appended, a, b) => {
        const series = new MemorySeries(0, {}, 0);
        for (const { t, bits } of appended) series.append(t, fromBits(bits));
        const [minT, maxT] = a <= b ? [a, b] : [b, a];
        const expected = appended.filter((s) => s.t >= minT && s.t <= maxT);
        const window = series.read(minT, maxT);
        expect(window?.timestamps ? [...window.timestamps] : []).toEqual(expected.map((s) => s.t));
        expect(window ? bitsOf(window.values) : []).toEqual(expected.map((s) => s.bits));
        expect(window === undefined).toBe(expected.length === 0);
        expect(series.hasSampleIn(minT, maxT)).toBe(expected.length > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a timestamp that is not after the newest one, also at a chunk boundary', () => {
    const series = new MemorySeries(0, {}, 0);
    for (let i = 1; i <= samplesPerChunk; i++) series.append(i * 1000, i);
    expect(series.append(samplesPerChunk * 1000, 0)).toBe(false);
    expect(series.append(500, 0)).toBe(false);
    expect(series.append(samplesPerChunk * 1000 + 1, STALE_NAN)).toBe(true);
    expect(series.sampleCount).toBe(samplesPerChunk + 1);
  });

  it('drops whole old chunks and keeps later samples readable', () => {
    const series = new MemorySeries(0, {}, 0);
    const total = samplesPerChunk * 3 + 7;
    for (let i = 0; i < total; i++) series.append(i * 15_000, Math.sin(i));
    const cutoff = samplesPerChunk * 2 * 15_000 + 1;
    expect(series.chunksBefore(cutoff)).toBe(2);
    expect(series.dropOldestChunks(2)).toBe(samplesPerChunk * 2);
    const window = series.read(0, Number.POSITIVE_INFINITY)!;
    expect(window.timestamps[0]).toBe(samplesPerChunk * 2 * 15_000);
    expect(window.values[window.values.length - 1]).toBe(Math.sin(total - 1));
    expect(window.timestamps).toHaveLength(total - samplesPerChunk * 2);
    expect(series.append(total * 15_000, 1)).toBe(true);
    expect(series.chunksBefore(Number.POSITIVE_INFINITY)).toBe(series.chunkCount);
  });
});
