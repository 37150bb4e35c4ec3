import { describe, expect, it } from 'vitest';
import type { InstantValue } from '../engine/types.ts';
import { parseHistogramDescription } from '../histogram/histogram-description.ts';
import { compareResult, ResultMismatch } from './compare.ts';
import { type EvalCommand, parseTestFile } from './test-file.ts';

const h = (text: string) => parseHistogramDescription(text).histogram;

function evalOf(...lines: string[]): EvalCommand {
  const [cmd] = parseTestFile(`${lines.join('\n')}\n`);
  if (cmd?.kind !== 'eval') throw new Error('not an eval');
  return cmd;
}

function problem(cmd: EvalCommand, value: InstantValue): string | undefined {
  try {
    compareResult(cmd, value);
    return undefined;
  } catch (e) {
    if (e instanceof ResultMismatch) return e.message;
    throw e;
  }
}

const vector = (histogram: ReturnType<typeof h> | undefined, value = 0): InstantValue => ({
  type: 'vector',
  timestampMs: 0,
  samples: [{ labels: { __name__: 'x' }, value, histogram }],
});

describe('compareResult on native histograms', () => {
  it('matches a histogram whatever its layout and within the float tolerance', () => {
    const cmd = evalOf('eval instant at 0 x', '  x {{schema:1 count:4 sum:10 buckets:[1 0 3]}}');
    // The same buckets spread over two spans, with an empty bucket at the edge and a tiny rounding error.
    const actual = h('{{schema:1 count:4.0000000001 sum:10 buckets:[1 0 3 0]}}');
    expect(problem(cmd, vector(actual))).toBeUndefined();
    expect(problem(cmd, vector(h('{{schema:1 count:4 sum:10 buckets:[1 3]}}')))).toBe(
      'expected {{schema:1 count:4 sum:10 buckets:[1 0 3]}} for x{} but got {{schema:1 count:4 sum:10 buckets:[1 3]}}',
    );
  });

  it('checks the counter reset hint only when the expectation gives one', () => {
    const any = evalOf('eval instant at 0 x', '  x {{count:1 buckets:[1]}}');
    const gauge = evalOf('eval instant at 0 x', '  x {{count:1 buckets:[1] counter_reset_hint:gauge}}');
    const actual = h('{{count:1 buckets:[1] counter_reset_hint:not_reset}}');
    expect(problem(any, vector(actual))).toBeUndefined();
    expect(problem(gauge, vector(actual))).toContain(
      'but got {{count:1 counter_reset_hint:not_reset buckets:[1]}}',
    );
  });

  it('tells a float from a histogram, both ways', () => {
    const float = evalOf('eval instant at 0 x', '  x 1');
    const histogram = evalOf('eval instant at 0 x', '  x {{count:1 buckets:[1]}}');
    expect(problem(float, vector(h('{{count:1 buckets:[1]}}')))).toBe(
      'expected float value 1 for x{} but got histogram {{count:1 buckets:[1]}}',
    );
    expect(problem(histogram, vector(undefined, 1))).toBe(
      'expected histogram {{count:1 buckets:[1]}} for x{} but got float value 1',
    );
  });

  it('compares float and histogram points of a matrix separately, as promqltest does', () => {
    const cmd = evalOf('eval range from 0 to 2m step 1m x', '  x 1 {{count:2 buckets:[2]}} _');
    const series = (second: ReturnType<typeof h>) => ({
      type: 'matrix' as const,
      series: [
        {
          labels: { __name__: 'x' },
          timestamps: Float64Array.of(0, 60_000),
          values: Float64Array.of(1, 0),
          histograms: [undefined, second],
        },
      ],
    });
    expect(problem(cmd, series(h('{{count:2 buckets:[2]}}')))).toBeUndefined();
    expect(problem(cmd, series(h('{{count:3 buckets:[3]}}')))).toBe(
      'expected histogram value at index 0 (t=60000) for x{} to be {{count:2 buckets:[2]}}, but got {{count:3 buckets:[3]}}',
    );
    const floatsOnly = {
      type: 'matrix' as const,
      series: [{ ...series(h('{{}}')).series[0]!, histograms: undefined }],
    };
    expect(problem(cmd, floatsOnly)).toMatch(/^expected 1 float points and 1 histogram points for x\{\}/);
  });
});
