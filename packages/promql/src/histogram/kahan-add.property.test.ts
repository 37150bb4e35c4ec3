import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CounterResetHint, FloatHistogram } from './float-histogram.ts';
import { kahanAdd, kahanAddInPlace } from './kahan-add.ts';
import type { Span } from './span.ts';

const hints: CounterResetHint[] = ['unknown', 'counter-reset', 'not-counter-reset', 'gauge'];

/** Bucket counts that exercise the compensation: tiny and huge magnitudes, fractions, zeros of both signs. */
const count = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.double({ min: -1e17, max: 1e17, noNaN: true }),
  fc.constantFrom(0, -0, 1e-17, 2 ** 53),
);

/** Spans as storage and arithmetic leave them: empty spans and touching spans included. */
const side = fc
  .tuple(
    fc.integer({ min: -12, max: 12 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 })), { maxLength: 4 }),
  )
  .chain(([first, rest]) => {
    const spans: Span[] = rest.map(([offset, length], i) => ({ offset: i === 0 ? first : offset, length }));
    const n = spans.reduce((total, s) => total + s.length, 0);
    return fc.tuple(fc.constant(spans), fc.array(count, { minLength: n, maxLength: n }));
  });

const histogram = (schemas: readonly number[], thresholds: readonly number[]) =>
  fc
    .record({
      hint: fc.constantFrom(...hints),
      schema: fc.constantFrom(...schemas),
      zeroThreshold: fc.constantFrom(...thresholds),
      zeroCount: count,
      count,
      sum: count,
      positive: side,
      negative: side,
    })
    .map(
      (r) =>
        new FloatHistogram({
          counterResetHint: r.hint,
          schema: r.schema,
          zeroThreshold: r.zeroThreshold,
          zeroCount: r.zeroCount,
          count: r.count,
          sum: r.sum,
          positiveSpans: r.positive[0],
          positiveBuckets: r.positive[1],
          negativeSpans: r.negative[0],
          negativeBuckets: r.negative[1],
        }),
    );

function fields(h: FloatHistogram | undefined) {
  if (h === undefined) return undefined;
  const { counterResetHint, schema, zeroThreshold, zeroCount, count, sum } = h;
  const { positiveSpans, positiveBuckets, negativeSpans, negativeBuckets } = h;
  return {
    ...{ counterResetHint, schema, zeroThreshold, zeroCount, count, sum },
    ...{ positiveSpans, positiveBuckets, negativeSpans, negativeBuckets },
  };
}

/** Sums `hs` as the accumulators do, with or without the in-place path first. */
function sumAll(hs: readonly FloatHistogram[], inPlace: boolean) {
  let sum = hs[0]!.copy();
  let compensation: FloatHistogram | undefined;
  let inPlaceAdds = 0;
  for (const h of hs.slice(1)) {
    const fast = inPlace ? kahanAddInPlace(sum, compensation, h) : undefined;
    if (fast !== undefined) {
      compensation = fast;
      inPlaceAdds++;
      continue;
    }
    const r = kahanAdd(sum, compensation, h);
    if (!r.ok) return { error: r.error, inPlaceAdds };
    sum = r.sum;
    compensation = r.compensation;
  }
  return { sum: fields(sum), compensation: fields(compensation), inPlaceAdds };
}

describe('kahanAddInPlace', () => {
  it('sums exactly as kahanAdd does, whatever the spans, or leaves the sum to it', () => {
    fc.assert(
      fc.property(fc.array(histogram([0, 3], [0, 2 ** -128, 1e-3]), { minLength: 2, maxLength: 6 }), (hs) => {
        const general = sumAll(hs, false);
        const fast = sumAll(hs, true);
        expect({ ...fast, inPlaceAdds: 0 }).toEqual({ ...general, inPlaceAdds: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('takes the in-place path for histograms of one schema and zero threshold', () => {
    fc.assert(
      fc.property(fc.array(histogram([3], [2 ** -128]), { minLength: 3, maxLength: 6 }), (hs) => {
        const { inPlaceAdds } = sumAll(hs, true);
        // The first addition may have to lay out the first histogram's spans the way kahanAdd does.
        expect(inPlaceAdds).toBeGreaterThanOrEqual(hs.length - 2);
      }),
      { numRuns: 200 },
    );
  });
});
