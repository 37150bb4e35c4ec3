import { CoreMeterProvider, type ExponentialHistogramValue } from '@yardstick/metrics-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addExponential, subtractExponential } from './exponential-points.ts';

/** The point one exponential histogram of the metrics core holds after recording `values`. */
async function recorded(values: readonly number[], maxSize?: number): Promise<ExponentialHistogramValue> {
  const core = new CoreMeterProvider({
    histogramAggregation: 'exponential',
    ...(maxSize === undefined
      ? {}
      : { views: [{ aggregation: { type: 'exponentialHistogram' as const, maxSize } }] }),
  });
  const reader = core.addReader();
  const histogram = core.getMeter('test').createHistogram('latency');
  for (const value of values) histogram.record(value);
  const { scopeMetrics } = await reader.collect();
  const point = scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value as ExponentialHistogramValue | undefined;
  return (
    point ?? {
      count: 0,
      sum: 0,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
    }
  );
}

/** Count, zero count, scale and buckets: everything but the float sum and the extremes. */
function buckets(value: ExponentialHistogramValue) {
  const trim = (range: ExponentialHistogramValue['positive']) => {
    let first = 0;
    let last = range.bucketCounts.length - 1;
    while (first <= last && range.bucketCounts[first] === 0) first++;
    while (last >= first && range.bucketCounts[last] === 0) last--;
    return first > last
      ? { offset: 0, bucketCounts: [] }
      : { offset: range.offset + first, bucketCounts: range.bucketCounts.slice(first, last + 1) };
  };
  const positive = trim(value.positive);
  const negative = trim(value.negative);
  const empty = positive.bucketCounts.length === 0 && negative.bucketCounts.length === 0;
  return {
    count: value.count,
    zeroCount: value.zeroCount,
    scale: empty ? 0 : value.scale,
    positive,
    negative,
  };
}

// Histograms take non-negative values; 1e-6 to 1e9 and zeros spread wide enough to force downscaling.
// Negative ranges (from gauge views) are covered by mirroring.
const magnitude = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
  fc.integer({ min: 0, max: 50 }),
);

describe('addExponential', () => {
  it('gives the buckets one histogram has after recording both sets of values (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(magnitude), fc.array(magnitude), async (left, right) => {
        const merged = addExponential(await recorded(left), await recorded(right));
        const together = await recorded([...left, ...right]);
        expect(buckets(merged)).toEqual(buckets(together));
        expect(merged.sum).toBeCloseTo(together.sum ?? 0, 0);
        if (together.count > 0) expect([merged.min, merged.max]).toEqual([together.min, together.max]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps as many buckets per range as the larger input holds, when that is more than 160', async () => {
    const values = Array.from({ length: 300 }, (_, i) => 1.01 ** i);
    const wide = await recorded(values, 400);
    expect(wide.positive.bucketCounts.length).toBeGreaterThan(160);
    const merged = addExponential(wide, await recorded(values.slice(100, 150), 400));
    expect(buckets(merged)).toEqual(buckets(await recorded([...values, ...values.slice(100, 150)], 400)));
  });

  it('merges negative ranges as it merges positive ones (property)', async () => {
    const mirror = (value: ExponentialHistogramValue): ExponentialHistogramValue => ({
      ...value,
      positive: value.negative,
      negative: value.positive,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(magnitude), fc.array(magnitude), async (left, right) => {
        const merged = addExponential(mirror(await recorded(left)), mirror(await recorded(right)));
        expect(buckets(mirror(merged))).toEqual(buckets(await recorded([...left, ...right])));
      }),
      { numRuns: 100 },
    );
  });
});

describe('subtractExponential', () => {
  it('gives back what was recorded after the earlier total, at the later scale (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(magnitude), fc.array(magnitude), async (before, after) => {
        const earlier = await recorded(before);
        const later = await recorded([...before, ...after]);
        const delta = subtractExponential(later, earlier);
        expect(delta).toBeDefined();
        expect(delta?.count).toBe(after.length);
        expect(buckets(addExponential(earlier, delta!))).toEqual(buckets(later));
        if (after.length > 0) expect(subtractExponential(earlier, later)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
