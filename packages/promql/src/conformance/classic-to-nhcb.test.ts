import { describe, expect, it } from 'vitest';
import { classicToNhcb } from './classic-to-nhcb.ts';
import { histogramText } from './histogram-text.ts';
import { parseSeriesDescription } from './series-description.ts';

const describeSeries = (...lines: string[]) => lines.map(parseSeriesDescription);

describe('classicToNhcb (load_with_nhcb)', () => {
  it('makes one histogram with custom buckets per base label set and time, buckets de-cumulated', () => {
    const [converted] = classicToNhcb(
      describeSeries(
        'x_bucket{le="+Inf", job="a"} 0+4x1',
        'x_bucket{le="0.1", job="a"} 0+1x1',
        'x_bucket{le="0.2", job="a"} 0+3x1',
        'x_sum{job="a"} 0+5x1',
      ),
      60_000,
    );
    expect(converted!.labels).toEqual({ __name__: 'x', job: 'a' });
    expect(converted!.samples.map((s) => [s.t, histogramText(s.histogram)])).toEqual([
      [0, '{{schema:-53 custom_values:[0.1 0.2]}}'],
      [60_000, '{{schema:-53 count:4 sum:5 custom_values:[0.1 0.2] buckets:[1 2 1]}}'],
    ]);
  });

  it('adds the +Inf bucket from the count, keeps the first of equal bounds and skips unparsable ones', () => {
    const [converted] = classicToNhcb(
      describeSeries('y_bucket{le="1"} 2', 'y_bucket{le="1.0"} 2', 'y_bucket{le="oops"} 7', 'y_count 5'),
      60_000,
    );
    expect(histogramText(converted!.samples[0]!.histogram)).toBe(
      '{{schema:-53 count:5 custom_values:[1] buckets:[2 3]}}',
    );
  });

  it('refuses counts that are not cumulative, as promqltest fails the load', () => {
    expect(() => classicToNhcb(describeSeries('z_bucket{le="1"} 3', 'z_bucket{le="2"} 2'), 60_000)).toThrow(
      /not cumulative/,
    );
  });
});
