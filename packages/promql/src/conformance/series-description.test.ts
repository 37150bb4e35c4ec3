import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import { isStaleNaN } from '../storage/queryable.ts';
import {
  MAX_SEQUENCE_VALUES,
  parseSequence,
  parseSeriesDescription,
  type SequenceValue,
} from './series-description.ts';

function floats(values: readonly SequenceValue[]): Array<number | '_' | 'h'> {
  return values.map((v) => (v.kind === 'float' ? v.value : v.kind === 'omitted' ? '_' : 'h'));
}

describe('parseSequence', () => {
  it('expands the value shorthands as promqltest does', () => {
    expect(floats(parseSequence('1+2x3'))).toEqual([1, 3, 5, 7]);
    expect(floats(parseSequence('1-2x3'))).toEqual([1, -1, -3, -5]);
    expect(floats(parseSequence('-5x4'))).toEqual([-5, -5, -5, -5, -5]);
    expect(floats(parseSequence('5x2'))).toEqual([5, 5, 5]);
    expect(floats(parseSequence('_ _x3 7'))).toEqual(['_', '_', '_', '_', 7]);
    expect(floats(parseSequence('1e3 .5 -Inf +Inf'))).toEqual([1000, 0.5, -Infinity, Infinity]);
    expect(floats(parseSequence('0x3'))).toEqual([0, 0, 0, 0]);
    expect(floats(parseSequence('NaN'))[0]).toBeNaN();
  });

  it('keeps the staleness marker bit pattern and distinguishes it from NaN', () => {
    const [stale, nan] = parseSequence('stale NaN');
    expect(stale?.kind === 'float' && isStaleNaN(stale.value)).toBe(true);
    expect(nan?.kind === 'float' && isStaleNaN(nan.value)).toBe(false);
  });

  it('treats native histogram literals as whole items, spaces included', () => {
    expect(floats(parseSequence('{{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2 3'))).toEqual([
      'h',
      'h',
      'h',
      3,
    ]);
  });

  it('parses histogram literals into histograms, one instance repeated by x', () => {
    const values = parseSequence('{{schema:1 sum:5 count:4 buckets:[1 2 1]}}x2');
    expect(values).toHaveLength(3);
    const [first, , last] = values;
    if (first?.kind !== 'histogram' || last?.kind !== 'histogram') throw new Error('expected histograms');
    expect(first.histogram).toBe(last.histogram);
    expect(first.histogram.positiveBuckets).toEqual([1, 2, 1]);
    expect(first.text).toBe('{{schema:1 sum:5 count:4 buckets:[1 2 1]}}x2');
    expect(first.counterResetHintSet).toBe(false);
  });

  /** Cases of Prometheus's TestParseHistogramSeries (promql/parser/parse_test.go). */
  function histograms(
    text: string,
  ): Array<{ schema: number; sum: number; buckets: number[]; spans: unknown[] }> {
    return parseSequence(text).map((v) => {
      if (v.kind !== 'histogram') throw new Error(`expected a histogram, got ${v.kind}`);
      const h = v.histogram;
      return { schema: h.schema, sum: h.sum, buckets: h.positiveBuckets, spans: h.positiveSpans };
    });
  }

  it('expands {{a}}+{{b}}xN and {{a}}-{{b}}xN as promqltest does, reducing to the lower schema', () => {
    expect(histograms('{{buckets:[5] schema:0}}+{{buckets:[1 2] schema:1}}x2')).toEqual([
      { schema: 0, sum: 0, buckets: [5], spans: [{ offset: 0, length: 1 }] },
      { schema: 0, sum: 0, buckets: [6, 2], spans: [{ offset: 0, length: 2 }] },
      { schema: 0, sum: 0, buckets: [7, 4], spans: [{ offset: 0, length: 2 }] },
    ]);
    expect(histograms('{{sum:1}}+{{sum:1}}x2 {{sum:2}}+{{sum:2}}x2').map((h) => h.sum)).toEqual([
      1, 2, 3, 2, 4, 6,
    ]);
    expect(
      histograms('{{buckets:[5 10 7] schema:1}}-{{buckets:[1 2 3] schema:1}}x2').map((h) => h.buckets),
    ).toEqual([
      [5, 10, 7],
      [4, 8, 4],
      [3, 6, 1],
    ]);
    expect(histograms('{{buckets:[5 10 7] schema:1}}+{{buckets:[1 2 3] schema:1}}x0')).toHaveLength(1);
  });

  it('marks expanded values with the hint flag of the increment, as promqltest does', () => {
    const flags = parseSequence(
      '{{counter_reset_hint:gauge}}+{{sum:1}}x1 {{sum:1}}+{{counter_reset_hint:gauge}}x1',
    ).map((v) => v.kind === 'histogram' && v.counterResetHintSet);
    expect(flags).toEqual([false, false, true, true]);
  });

  it('refuses a lower-resolution increment and a mix of exponential and custom buckets, naming the item', () => {
    expect(() => parseSequence('{{buckets:[5 10 7] schema:1}}+{{buckets:[1 2 3] schema:0}}x2')).toThrow(
      'series values "{{buckets:[5 10 7] schema:1}}+{{buckets:[1 2 3] schema:0}}x2": cannot merge from schema 0 to 1',
    );
    expect(() => parseSequence('{{schema:-53 custom_values:[1]}}+{{schema:0}}x1')).toThrow(
      /"\{\{schema:-53 custom_values:\[1\]\}\}\+\{\{schema:0\}\}x1": cannot apply this operation on histograms with a mix of exponential and custom bucket schemas/,
    );
  });

  it('refuses malformed histogram items and literals', () => {
    expect(() => parseSequence('{{sum:1}}+{{sum:1}}')).toThrow(
      /bad series value "\{\{sum:1\}\}\+\{\{sum:1\}\}": expected/,
    );
    expect(() => parseSequence('{{sum:1}}x')).toThrow(PromqlError);
    expect(() => parseSequence('1 {{foo:1}}')).toThrow('bad histogram "{{foo:1}}": unknown key "foo"');
  });

  it('adds the increment step by step, like the Go runner, so float rounding matches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -50, max: 50 }),
        fc.nat(30),
        (a, b, n) => {
          const start = a / 10;
          const step = b / 10;
          const values = floats(parseSequence(`${start}${step < 0 ? '' : '+'}${step}x${n}`));
          expect(values).toHaveLength(n + 1);
          let expected = start;
          for (const v of values) {
            expect(v).toBe(expected);
            expected += step;
          }
        },
      ),
    );
  });

  it('rejects values that are not numbers', () => {
    expect(() => parseSequence('1 two')).toThrow(PromqlError);
    expect(() => parseSequence('1+2')).toThrow(/x<count>/);
  });

  it('refuses a count that would expand past the limit instead of allocating it', () => {
    // A typo in an expected value (found by the edited-files property test) once took the worker down.
    for (const text of ['0.4285714x2857142855', '_x2857142855', 'stalex2857142855', '{{sum:1}}x2857142855']) {
      expect(() => parseSequence(text)).toThrow(/expand to more than 1000000 values/);
    }
    expect(parseSequence(`1+1x${MAX_SEQUENCE_VALUES - 1}`)).toHaveLength(MAX_SEQUENCE_VALUES);
    expect(() => parseSequence(`1+1x${MAX_SEQUENCE_VALUES - 1} 5`)).toThrow(/"5" expand to more than/);
  });
});

describe('parseSeriesDescription', () => {
  it('reads a name, labels with Go escapes, and quoted UTF-8 names', () => {
    expect(parseSeriesDescription('http_requests{job="api", path="/a\\"b"} 1 2')).toEqual({
      labels: { __name__: 'http_requests', job: 'api', path: '/a"b' },
      values: [
        { kind: 'float', value: 1 },
        { kind: 'float', value: 2 },
      ],
    });
    expect(parseSeriesDescription('{"my.metric", "service.name"="x"} 1').labels).toEqual({
      __name__: 'my.metric',
      'service.name': 'x',
    });
    expect(parseSeriesDescription('{} 3').labels).toEqual({});
  });

  it('rejects a malformed label set', () => {
    expect(() => parseSeriesDescription('m{a=b} 1')).toThrow(PromqlError);
    expect(() => parseSeriesDescription('m{a="b" 1')).toThrow(PromqlError);
  });
});
