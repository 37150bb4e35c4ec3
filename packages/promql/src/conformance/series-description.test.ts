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
