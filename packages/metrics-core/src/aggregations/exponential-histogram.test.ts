import {
  AggregationType,
  type ExponentialHistogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExponentialHistogramCell, type ExponentialHistogramSnapshot } from './exponential-histogram.ts';

/** A reader that only collects on demand. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The point stock sdk-metrics 3.1.0 produces for `values`: a histogram instrument (non-negative values,
 * sum reported) or a gauge (any sign; sdk-metrics leaves out the sum of instruments that allow negatives),
 * with a view choosing the exponential histogram aggregation.
 */
async function sdkPoint(
  instrument: 'histogram' | 'gauge',
  values: readonly number[],
  maxSize: number,
  recordMinMax: boolean,
): Promise<ExponentialHistogram | undefined> {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: 'h',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize, recordMinMax } },
      },
    ],
  });
  const meter = provider.getMeter('differential');
  const recorder = instrument === 'histogram' ? meter.createHistogram('h') : meter.createGauge('h');
  for (const value of values) recorder.record(value);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  // No point at all when nothing was recorded.
  return resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value as
    | ExponentialHistogram
    | undefined;
}

function recorded(
  values: readonly number[],
  options: ConstructorParameters<typeof ExponentialHistogramCell>[0],
) {
  const cell = new ExponentialHistogramCell(options);
  for (const value of values) cell.record(value);
  return cell;
}

const MIN_NORMAL = 2 ** -1022;

/** A double just below `x` (positive, finite). */
function nextDown(x: number): number {
  const bits = new BigUint64Array(new Float64Array([x]).buffer);
  bits[0]! -= 1n;
  return new Float64Array(bits.buffer)[0]!;
}

/** Values of every kind a histogram meets: latencies, integers, subnormals, huge, powers of two and their neighbours. */
const anyValue = fc.oneof(
  fc.double({ noNaN: true }),
  fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.double({ min: -MIN_NORMAL, max: MIN_NORMAL, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -1074, max: 1023 }).map((e) => 2 ** e),
  fc.integer({ min: -1021, max: 1023 }).map((e) => nextDown(2 ** e)),
  fc.constantFrom(
    0,
    -0,
    Number.NaN,
    Infinity,
    -Infinity,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
);

/** Sequences that share a magnitude range often enough to exercise the bucket window and rescaling. */
const valueSequence = (value: fc.Arbitrary<number>) =>
  fc.oneof(
    fc.array(value, { maxLength: 200 }),
    fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 100, maxLength: 400 }),
  );

const maxSizeArbitrary = fc.oneof(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 21, max: 320 }));

/** The fields sdk-metrics reports, from our snapshot, minus what it leaves out. */
/**
 * Whether a point's buckets hold exactly its count within `maxSize` buckets per range. sdk-metrics 3.1.0
 * breaks this in one corner (a value just below a power of two recorded at a positive scale, then
 * downscaled: it counts that value twice and keeps maxSize + 1 buckets), so such points are not a reference.
 */
function consistent(
  point: {
    count: number;
    zeroCount: number;
    positive: { bucketCounts: number[] };
    negative: { bucketCounts: number[] };
  },
  maxSize: number,
): boolean {
  const inBuckets = [...point.positive.bucketCounts, ...point.negative.bucketCounts].reduce(
    (a, b) => a + b,
    0,
  );
  return (
    inBuckets + point.zeroCount === point.count &&
    point.positive.bucketCounts.length <= maxSize &&
    point.negative.bucketCounts.length <= maxSize
  );
}

function comparable(snapshot: ExponentialHistogramSnapshot, withSum: boolean, withMinMax: boolean) {
  return {
    scale: snapshot.scale,
    zeroCount: snapshot.zeroCount,
    count: snapshot.count,
    positive: snapshot.positive,
    negative: snapshot.negative,
    ...(withSum ? { sum: snapshot.sum } : {}),
    ...(withMinMax ? { min: snapshot.min, max: snapshot.max } : {}),
  };
}

function sdkComparable(point: ExponentialHistogram, withSum: boolean, withMinMax: boolean) {
  return {
    scale: point.scale,
    zeroCount: point.zeroCount,
    count: point.count,
    positive: point.positive,
    negative: point.negative,
    ...(withSum ? { sum: point.sum } : {}),
    ...(withMinMax ? { min: point.min, max: point.max } : {}),
  };
}

describe('ExponentialHistogramCell just below a power of two', () => {
  it('counts a value that maps one bucket lower after a downscale (sdk-metrics 3.1.0 counted it twice)', () => {
    const cell = new ExponentialHistogramCell({ maxSize: 23 });
    for (const v of [257, 0.00006103515624999999]) cell.record(v);
    const snapshot = cell.snapshot();
    expect(snapshot.count).toBe(2);
    expect(consistent(snapshot, 23)).toBe(true);
  });
});

describe('ExponentialHistogramCell against @opentelemetry/sdk-metrics 3.1.0', () => {
  it('gives the same point as a stock histogram for any non-negative values (sum identical)', async () => {
    await fc.assert(
      fc.asyncProperty(
        valueSequence(anyValue.map(Math.abs)),
        maxSizeArbitrary,
        fc.boolean(),
        async (values, maxSize, minMax) => {
          const ours = recorded(values, { maxSize, recordMinMax: minMax }).snapshot();
          const theirs = await sdkPoint('histogram', values, maxSize, minMax);
          if (theirs === undefined) {
            expect(values).toEqual([]);
            return;
          }
          expect(consistent(ours, maxSize)).toBe(true);
          if (!consistent(theirs, maxSize)) return;
          const withMinMax = minMax && ours.count > 0;
          expect(comparable(ours, true, withMinMax)).toStrictEqual(sdkComparable(theirs, true, withMinMax));
          if (withMinMax) {
            // toStrictEqual does not tell 0 from -0.
            expect(Object.is(ours.min, theirs.min) && Object.is(ours.max, theirs.max)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same point as a stock gauge with an exponential view for values of both signs', async () => {
    await fc.assert(
      fc.asyncProperty(valueSequence(anyValue), maxSizeArbitrary, async (values, maxSize) => {
        const ours = recorded(values, { maxSize }).snapshot();
        const theirs = await sdkPoint('gauge', values, maxSize, true);
        if (theirs === undefined) {
          expect(values).toEqual([]);
          return;
        }
        expect(consistent(ours, maxSize)).toBe(true);
        if (!consistent(theirs, maxSize)) return;
        const withMinMax = ours.count > 0;
        expect(comparable(ours, false, withMinMax)).toStrictEqual(sdkComparable(theirs, false, withMinMax));
      }),
      { numRuns: 300 },
    );
  });

  it('matches with the default maxSize on a wide log-uniform spread that forces several rescales', async () => {
    const values = Array.from({ length: 5000 }, (_, i) => Math.exp(Math.sin(i * 12.9898) * 40));
    const ours = recorded(values, {}).snapshot();
    const theirs = await sdkPoint('histogram', values, 160, true);
    expect(theirs).toBeDefined();
    expect(comparable(ours, true, true)).toStrictEqual(sdkComparable(theirs!, true, true));
    expect(ours.scale).toBeLessThan(3);
  });
});

describe('ExponentialHistogramCell.merge', () => {
  const options = fc.record({
    maxSize: maxSizeArbitrary,
    maxScale: fc.integer({ min: -10, max: 20 }),
    recordMinMax: fc.boolean(),
  });
  // Near-power-of-two neighbours are left out: the reference logarithm mapping may put nextDown(2^k) above
  // 2^k at scale > 0 but not at scale <= 0, so recording it before or after a downscale past scale 0 differs
  // (documented in exponential-mapping.ts; sdk-metrics behaves the same).
  const mergeValue = fc.oneof(
    fc.double({ noNaN: true }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: -MIN_NORMAL, max: MIN_NORMAL, noNaN: true }),
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: -1074, max: 1023 }).map((e) => 2 ** e),
    fc.constantFrom(0, -0, Number.NaN, Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE),
  );

  it('gives what recording both sequences into one cell gives (sum up to summation order)', () => {
    fc.assert(
      fc.property(valueSequence(mergeValue), valueSequence(mergeValue), options, (a, b, opts) => {
        const sequential = recorded([...a, ...b], opts).snapshot();
        const merged = recorded(a, opts);
        merged.merge(recorded(b, opts));
        const result = merged.snapshot();
        expect({ ...result, sum: 0 }).toStrictEqual({ ...sequential, sum: 0 });
        const magnitude = [...a, ...b].reduce(
          (total, v) => (Number.isFinite(v) ? total + Math.abs(v) : total),
          0,
        );
        // Past the largest double, whether a partial sum overflows depends on the order of addition.
        if (Number.isFinite(magnitude)) {
          expect(Math.abs(result.sum - sequential.sum)).toBeLessThanOrEqual(magnitude * 1e-12);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is exact for integer sums and merges into an empty cell as a copy', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 })), options, (values, opts) => {
        const empty = new ExponentialHistogramCell(opts);
        empty.merge(recorded(values, opts));
        expect(empty.snapshot()).toStrictEqual(recorded(values, opts).snapshot());
      }),
    );
  });

  it('downscales to the lower scale of the two and keeps every count', () => {
    const fine = recorded([1.5, 1.5], {});
    const coarse = recorded([1e-3, 1e3], { maxSize: 8 });
    expect(fine.snapshot().scale).toBe(20);
    // 2^-10 < 1e-3 and 2^9 < 1e3: buckets -10 and 9 at scale 0, -3 and 2 at scale -2 (base 16).
    expect(coarse.snapshot().scale).toBe(-2);
    fine.merge(coarse);
    const snapshot = fine.snapshot();
    expect(snapshot.scale).toBe(-2);
    expect(snapshot.count).toBe(4);
    expect(snapshot.positive).toEqual({ offset: -3, bucketCounts: [1, 0, 0, 2, 0, 1] });
  });
});

describe('ExponentialHistogramCell', () => {
  it('starts at maxScale and lowers the scale just enough to hold a new value', () => {
    const cell = new ExponentialHistogramCell({ maxSize: 4 });
    cell.record(1.5);
    expect(cell.snapshot().scale).toBe(20);
    cell.record(3);
    // One octave apart, they need 2^scale + 1 buckets: scale 1 (base √2), buckets 1 and 3.
    const snapshot = cell.snapshot();
    expect(snapshot.scale).toBe(1);
    expect(snapshot.positive).toEqual({ offset: 1, bucketCounts: [1, 0, 1] });
  });

  it('drops NaN and infinities without counting them', () => {
    const cell = new ExponentialHistogramCell();
    for (const value of [Number.NaN, Infinity, -Infinity, 2]) cell.record(value);
    expect(cell.count).toBe(1);
    expect(cell.snapshot()).toMatchObject({ count: 1, sum: 2, min: 2, max: 2, zeroCount: 0 });
  });

  it('counts zero of either sign in the zero bucket and negative values by magnitude', () => {
    const cell = new ExponentialHistogramCell({ maxScale: 0 });
    for (const value of [0, -0, -3, -3, 5]) cell.record(value);
    expect(cell.snapshot()).toStrictEqual({
      scale: 0,
      zeroCount: 2,
      zeroThreshold: 0,
      positive: { offset: 2, bucketCounts: [1] },
      negative: { offset: 1, bucketCounts: [2] },
      count: 5,
      sum: -1,
      min: -3,
      max: 5,
    });
  });

  it('reports scale 0, no buckets and no min or max before anything is recorded', () => {
    expect(new ExponentialHistogramCell().snapshot()).toStrictEqual({
      scale: 0,
      zeroCount: 0,
      zeroThreshold: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
      count: 0,
      sum: 0,
      min: undefined,
      max: undefined,
    });
  });

  it('leaves min and max out when recordMinMax is false', () => {
    const snapshot = recorded([1, 2], { recordMinMax: false }).snapshot();
    expect(snapshot.min).toBeUndefined();
    expect(snapshot.max).toBeUndefined();
  });

  it('resets to an empty histogram at maxScale that records as a new one would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true })),
        fc.array(fc.double({ noNaN: true })),
        (before, after) => {
          const cell = recorded(before, { maxSize: 10 });
          cell.reset();
          for (const value of after) cell.record(value);
          expect(cell.snapshot()).toStrictEqual(recorded(after, { maxSize: 10 }).snapshot());
        },
      ),
    );
  });

  it('returns snapshots that share nothing with the cell', () => {
    const cell = recorded([1, 2, 3], {});
    const snapshot = cell.snapshot();
    snapshot.positive.bucketCounts[0] = 99;
    cell.record(1);
    expect(cell.snapshot().positive.bucketCounts[0]).toBe(2);
  });

  it('keeps counts exact past 2^32 in one bucket', () => {
    const big = new ExponentialHistogramCell();
    const unit = recorded([7], {});
    // 2^33 by doubling: merge a cell into itself 33 times.
    for (let i = 0; i < 33; i++) unit.merge(unit);
    big.merge(unit);
    big.record(7);
    expect(big.snapshot().positive.bucketCounts).toEqual([2 ** 33 + 1]);
  });

  it('rejects a maxSize below 2 or a maxScale outside -10..20', () => {
    expect(() => new ExponentialHistogramCell({ maxSize: 1 })).toThrow(RangeError);
    expect(() => new ExponentialHistogramCell({ maxSize: 2.5 })).toThrow(/maxSize must be an integer >= 2/);
    expect(() => new ExponentialHistogramCell({ maxScale: 21 })).toThrow(
      /maxScale must be an integer from -10 to 20/,
    );
    expect(() => new ExponentialHistogramCell({ maxScale: -11 })).toThrow(RangeError);
    expect(() => new ExponentialHistogramCell({ maxSize: 2, maxScale: -10 })).not.toThrow();
  });

  it('holds the whole double range in 2 buckets at scale -10', () => {
    const cell = recorded([Number.MIN_VALUE, 1, Number.MAX_VALUE], { maxSize: 2 });
    expect(cell.snapshot()).toMatchObject({ scale: -10, positive: { offset: -1, bucketCounts: [2, 1] } });
  });
});
