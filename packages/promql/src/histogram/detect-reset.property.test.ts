import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectReset } from './detect-reset.ts';
import { FloatHistogram } from './float-histogram.ts';
import type { Span } from './span.ts';

const spans = fc
  .tuple(
    fc.integer({ min: -6, max: 6 }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })), { maxLength: 3 }),
  )
  .map(([first, rest]): Span[] =>
    rest.map(([offset, length], i) => ({ offset: i === 0 ? first : offset, length })),
  );

const width = (s: readonly Span[]) => s.reduce((n, span) => n + span.length, 0);
const counts = (n: number) => fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n });

/** Two samples of one layout, as in one chunk: the later one's counts each up or down a little. */
const pair = fc
  .record({
    schema: fc.constantFrom(0, 3, -53),
    zeroThreshold: fc.constantFrom(0, 2 ** -128, 0.75),
    positive: spans,
    negative: spans,
  })
  .chain((layout) => {
    const custom = layout.schema === -53;
    // Custom buckets have no negative side and start at index 0 or above.
    const negative = custom ? [] : layout.negative;
    const positive = custom
      ? layout.positive.map((s, i) => (i === 0 ? { ...s, offset: Math.abs(s.offset) } : s))
      : layout.positive;
    const n = width(positive) + width(negative);
    return fc.tuple(fc.constant({ ...layout, positive, negative, custom }), counts(n + 1), counts(n + 1));
  })
  .map(([layout, a, b]) => {
    const make = (c: number[]) => {
      const positive = c.slice(0, width(layout.positive));
      const negative = c.slice(width(layout.positive), -1);
      const all = [...positive, ...negative];
      return new FloatHistogram({
        schema: layout.schema,
        zeroThreshold: layout.custom ? 0 : layout.zeroThreshold,
        zeroCount: layout.custom ? 0 : c.at(-1)!,
        count: all.reduce((x, y) => x + y, 0) + (layout.custom ? 0 : c.at(-1)!),
        positiveSpans: layout.positive,
        positiveBuckets: positive,
        negativeSpans: layout.negative,
        negativeBuckets: negative,
        customValues: layout.custom ? Array.from({ length: 40 }, (_, i) => i + 1) : [],
      });
    };
    return [make(a), make(b)] as const;
  });

describe('detectReset', () => {
  it('decides the same for one layout as for the same layout written differently (property)', () => {
    fc.assert(
      fc.property(pair, ([previous, current]) => {
        // A trailing empty span changes nothing but the spelling, and takes the bucket-by-bucket walk.
        const respelled = previous.copy();
        respelled.positiveSpans = [...previous.positiveSpans, { offset: 0, length: 0 }];
        expect(detectReset(current, previous)).toBe(detectReset(current, respelled));
      }),
      { numRuns: 1000 },
    );
  });
});
