import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import { parseHistogramDescription } from './histogram-description.ts';

/** Cases of Prometheus's TestParseHistogramSeries (promql/parser/parse_test.go), one literal each. */
describe('parseHistogramDescription', () => {
  it('reads an empty histogram, with or without a space', () => {
    for (const text of ['{{}}', '{{ }}']) {
      const { histogram, counterResetHintSet } = parseHistogramDescription(text);
      expect(histogram.count).toBe(0);
      expect(histogram.positiveSpans).toEqual([]);
      expect(counterResetHintSet).toBe(false);
    }
  });

  it('reads every key, in any case, separated by runs of spaces', () => {
    const { histogram, counterResetHintSet } = parseHistogramDescription(
      '{{schema:1  sum:0.3  count:3  z_bucket:7 z_bucket_w:5 buckets:[5 10  7  ] offset:-3  n_buckets:[4 5]  n_offset:5  COUNTER_RESET_HINT:Gauge  }}',
    );
    expect(counterResetHintSet).toBe(true);
    expect({ ...histogram }).toEqual({
      counterResetHint: 'gauge',
      schema: 1,
      zeroThreshold: 5,
      zeroCount: 7,
      count: 3,
      sum: 0.3,
      positiveSpans: [{ offset: -3, length: 3 }],
      negativeSpans: [{ offset: 5, length: 2 }],
      positiveBuckets: [5, 10, 7],
      negativeBuckets: [4, 5],
      customValues: [],
    });
  });

  it('takes negative values where Prometheus does, Go number syntax and Inf/NaN', () => {
    const { histogram } = parseHistogramDescription(
      '{{sum:-0.3 count:-3.1 z_bucket:-Inf buckets:[-5.1 -10 1e3 1_000 Inf NaN] n_buckets:[010]}}',
    );
    expect(histogram.sum).toBe(-0.3);
    expect(histogram.count).toBe(-3.1);
    expect(histogram.zeroCount).toBe(Number.NEGATIVE_INFINITY);
    expect(histogram.positiveBuckets).toEqual([-5.1, -10, 1000, 1000, Number.POSITIVE_INFINITY, Number.NaN]);
    // Go's base-0 integers: a leading 0 is octal, as in promql's number().
    expect(histogram.negativeBuckets).toEqual([8]);
  });

  it('reads custom buckets and every counter reset hint', () => {
    const { histogram } = parseHistogramDescription(
      '{{schema:-53 sum:5 count:4 custom_values:[1 2 3] buckets:[1 2 1]}}',
    );
    expect(histogram.usesCustomBuckets()).toBe(true);
    expect(histogram.customValues).toEqual([1, 2, 3]);
    const hints = ['unknown', 'reset', 'not_reset', 'gauge'].map(
      (hint) => parseHistogramDescription(`{{counter_reset_hint:${hint}}}`).histogram.counterResetHint,
    );
    expect(hints).toEqual(['unknown', 'counter-reset', 'not-counter-reset', 'gauge']);
  });

  it.each([
    ['{{schema:1 schema:1}}', 'duplicate key "schema"'],
    ['{{foo:1}}', 'unknown key "foo"'],
    ['{{schema :1}}', 'missing ":" after "schema"'],
    ['{{schema: 1}}', 'schema needs an integer, got ""'],
    ['{{buckets:[ 1]}}', 'buckets needs numbers such as [1 2 3], got [ 1]'],
    ['{{buckets:[]}}', 'buckets needs numbers such as [1 2 3], got []'],
    ['{{ schema:1}}', 'unexpected space after "{{"'],
    [
      '{{counter_reset_hint:foo}}',
      'counter_reset_hint is one of unknown, reset, not_reset, gauge; got "foo"',
    ],
    ['{{schema:1.5}}', 'schema needs an integer, got "1.5"'],
    ['{{sum:.5}}', 'sum needs a number, got ".5"'],
    ['{{sum:+5}}', 'sum needs a number, got "+5"'],
    ['{{z_bucket_w:-1}}', 'z_bucket_w needs a number, got "-1"'],
    ['{{buckets:[1 -Inf]}}', 'bad number "-Inf" in buckets'],
    ['{{buckets:[1 2]offset:1}}', 'expected a space after buckets:[1 2]'],
    ['{{buckets:1}}', 'buckets needs a list such as [1 2 3]'],
    ['{{:1}}', 'unexpected ":", expected a key such as buckets:[5 10 7]'],
  ])('refuses %s naming the literal and the problem', (text, problem) => {
    const error = (() => {
      try {
        parseHistogramDescription(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PromqlError);
    expect((error as PromqlError).code).toBe('PROMQL_TEST_FILE');
    expect((error as PromqlError).message).toBe(`bad histogram ${JSON.stringify(text)}: ${problem}`);
  });

  it('reads back what a literal states, for random histograms', () => {
    const count = fc.double({ min: -1e9, max: 1e9, noNaN: true });
    fc.assert(
      fc.property(
        fc.record({
          schema: fc.integer({ min: -4, max: 8 }),
          sum: count,
          count: fc.nat(),
          buckets: fc.array(count, { maxLength: 6 }),
          offset: fc.integer({ min: -20, max: 20 }),
        }),
        (h) => {
          const list = h.buckets.length === 0 ? '' : ` buckets:[${h.buckets.map(String).join(' ')}]`;
          const text = `{{schema:${h.schema} sum:${h.sum} count:${h.count}${list} offset:${h.offset}}}`;
          const { histogram } = parseHistogramDescription(text);
          expect(histogram.schema).toBe(h.schema);
          expect(histogram.sum).toBe(h.sum === 0 ? 0 : h.sum);
          expect(histogram.count).toBe(h.count);
          expect(histogram.positiveBuckets).toEqual(h.buckets.map((b) => (b === 0 ? 0 : b)));
          expect(histogram.positiveSpans).toEqual(
            h.buckets.length === 0 ? [] : [{ offset: h.offset, length: h.buckets.length }],
          );
        },
      ),
    );
  });
});
