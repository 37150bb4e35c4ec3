import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CounterResetHint, FloatHistogram } from '../histogram/float-histogram.ts';
import { BitWriter } from './bit-writer.ts';
import { HistogramChunk, histogramSamplesPerChunk } from './histogram-chunk.ts';
import { HistogramSamples } from './histogram-samples.ts';
import { SampleStore } from './sample-store.ts';
import { BitCursor, readVarbitInt, writeVarbitInt, XorValue } from './varbit.ts';

function readBack(samples: HistogramSamples, times: readonly number[]) {
  return samples.at(Float64Array.from(times));
}

const layouts = [
  { schema: 3, positiveSpans: [{ offset: -2, length: 3 }], negativeSpans: [] },
  {
    schema: 0,
    positiveSpans: [
      { offset: 1, length: 2 },
      { offset: 3, length: 1 },
    ],
    negativeSpans: [{ offset: 0, length: 2 }],
  },
  { schema: -53, positiveSpans: [{ offset: 0, length: 3 }], negativeSpans: [], customValues: [0.1, 1] },
  { schema: 8, positiveSpans: [], negativeSpans: [] },
] as const;

const count = fc.oneof(
  fc.nat({ max: 20 }),
  fc.nat(),
  fc.integer({ min: 0, max: 2 ** 50 }),
  fc.double({ min: 0, max: 1e12, noNaN: true }),
);
const sum = fc.oneof(fc.double(), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
const hint = fc.constantFrom<CounterResetHint>('unknown', 'counter-reset', 'not-counter-reset', 'gauge');

const histogramArbitrary = fc
  .tuple(fc.nat({ max: layouts.length - 1 }), hint, count, count, sum, fc.array(count, { maxLength: 4 }))
  .map(([layoutIndex, counterResetHint, total, zero, sumValue, bucketValues]) => {
    const layout = layouts[layoutIndex]!;
    const positives = layout.positiveSpans.reduce((n, span) => n + span.length, 0);
    const negatives = layout.negativeSpans.reduce((n, span) => n + span.length, 0);
    const at = (i: number) => bucketValues[i % Math.max(1, bucketValues.length)] ?? 1;
    return new FloatHistogram({
      ...layout,
      counterResetHint,
      count: total,
      zeroCount: layout.schema === -53 ? 0 : zero,
      sum: sumValue,
      positiveBuckets: Array.from({ length: positives }, (_, i) => at(i)),
      negativeBuckets: Array.from({ length: negatives }, (_, i) => at(i + positives)),
    });
  });

describe('varbit integers and XOR floats', () => {
  it('read back every safe integer and every double bit-exact (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -300, max: 300 }),
            fc.maxSafeInteger(),
            fc.constantFrom(4, -3, 5, 32, -31, 2 ** 55, -(2 ** 55), 2 ** 55 + 2, Number.MAX_SAFE_INTEGER),
            // Both ends of every payload width, and one past them.
            fc
              .constantFrom(3, 6, 9, 12, 18, 25, 56)
              .chain((bits) =>
                fc.constantFrom(
                  2 ** (bits - 1),
                  2 ** (bits - 1) + 1,
                  1 - 2 ** (bits - 1),
                  -(2 ** (bits - 1)),
                ),
              ),
            fc.integer().map((n) => n * 1024),
          ),
        ),
        fc.array(fc.double()),
        (ints, floats) => {
          const writer = new BitWriter();
          for (const n of ints) writeVarbitInt(writer, n);
          const xor = new XorValue();
          for (const [i, f] of floats.entries()) {
            if (i === 0) xor.writeFirst(writer, f);
            else xor.write(writer, f);
          }
          const cursor = new BitCursor(writer.bytes);
          expect(ints.map(() => readVarbitInt(cursor))).toEqual(ints);
          const back = new XorValue();
          expect(floats.map((_, i) => (i === 0 ? back.readFirst(cursor) : back.read(cursor)))).toEqual(
            floats,
          );
        },
      ),
    );
  });
});

describe('histogram chunks', () => {
  it('read back every histogram appended, with its hint, layout and counts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 100_000 }), histogramArbitrary), {
          minLength: 1,
          maxLength: 300,
        }),
        (steps) => {
          const samples = new HistogramSamples();
          const times: number[] = [];
          let t = 1_700_000_000_000;
          for (const [step, h] of steps) {
            t += step;
            times.push(t);
            samples.append(t, h);
          }
          expect(readBack(samples, times)).toEqual(steps.map(([, h]) => h));
          // A window in the middle decodes the same samples.
          const middle = times.slice(Math.floor(times.length / 3), Math.ceil((2 * times.length) / 3));
          if (middle.length > 0) {
            const offset = Math.floor(times.length / 3);
            expect(readBack(samples, middle)).toEqual(
              steps.slice(offset, offset + middle.length).map(([, h]) => h),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('starts a new chunk when the layout, the kind of counts or the hint changes, or the chunk is full', () => {
    const h = (count: number, init: Partial<ConstructorParameters<typeof FloatHistogram>[0]> = {}) =>
      new FloatHistogram({
        count,
        positiveSpans: [{ offset: 0, length: 1 }],
        positiveBuckets: [count],
        counterResetHint: 'not-counter-reset',
        ...init,
      });
    const chunk = new HistogramChunk(0, h(1, { counterResetHint: 'unknown' }));
    expect(chunk.tryAppend(1, h(2))).toBe(true);
    expect(chunk.tryAppend(2, h(3, { counterResetHint: 'counter-reset' }))).toBe(false);
    expect(chunk.tryAppend(2, h(3, { schema: 1 }))).toBe(false);
    expect(chunk.tryAppend(2, h(3, { positiveSpans: [{ offset: 1, length: 1 }] }))).toBe(false);
    expect(chunk.tryAppend(2, h(2.5, { positiveBuckets: [2.5] }))).toBe(false);
    for (let i = chunk.count; i < histogramSamplesPerChunk; i++)
      expect(chunk.tryAppend(i + 10, h(i))).toBe(true);
    expect(chunk.tryAppend(1000, h(1000))).toBe(false);
  });

  it('costs at most 2 bytes per bucket per sample for slowly changing histograms, timeline included', () => {
    // 40 buckets at schema 3 (about 32x between the lowest and the highest), scraped every 15 s for 3 h;
    // every bucket grows by 0-5 observations per scrape, as a service under steady load does. Measured:
    // 1.03 bytes per bucket per sample (29,648 bytes for the series; 0.91 with 120-sample chunks, before
    // chunks were also cut at 1 KiB).
    const buckets = 40;
    const samples = 720;
    const store = new SampleStore();
    const labels = { __name__: 'latency_seconds', job: 'api', route: '/cart' };
    const counts = new Array<number>(buckets).fill(0);
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let sumValue = 0;
    for (let i = 0; i < samples; i++) {
      for (let b = 0; b < buckets; b++) {
        const added = Math.floor(random() * 6);
        counts[b]! += added;
        sumValue += added * 2 ** ((b - 20) / 8);
      }
      const total = counts.reduce((a, c) => a + c, 0);
      const h = new FloatHistogram({
        schema: 3,
        count: total,
        sum: sumValue,
        positiveSpans: [{ offset: -20, length: buckets }],
        positiveBuckets: [...counts],
      });
      expect(store.appendHistogram(labels, i * 15_000, h)).toBe(true);
    }
    const bytesPerBucketSample = store.stats().bytes / (buckets * samples);
    expect(bytesPerBucketSample).toBeLessThanOrEqual(2);
    // And what is stored is what was appended.
    const [series] = [
      ...store.select([{ type: '=', name: 'job', value: 'api' }], 0, Number.POSITIVE_INFINITY),
    ];
    expect(series!.histograms!.at(-1)!.positiveBuckets).toEqual(counts);
    expect(series!.histograms!.at(-1)!.sum).toBe(sumValue);
  });
});
