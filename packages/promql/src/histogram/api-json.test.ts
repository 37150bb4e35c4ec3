import { describe, expect, it } from 'vitest';
import { formatApiJsonFloat, toApiHistogram } from './api-json.ts';
import { FloatHistogram } from './float-histogram.ts';

describe('toApiHistogram', () => {
  it('writes what Prometheus writes for a matrix histogram (web/api/v1 json_codec_test.go)', () => {
    const h = new FloatHistogram({
      schema: 2,
      zeroThreshold: 0.001,
      zeroCount: 12,
      count: 10,
      sum: 20,
      positiveSpans: [
        { offset: 3, length: 2 },
        { offset: 1, length: 3 },
      ],
      negativeSpans: [{ offset: 2, length: 2 }],
      positiveBuckets: [1, 2, 2, 1, 1],
      negativeBuckets: [2, 1],
    });
    expect(JSON.stringify(toApiHistogram(h))).toBe(
      '{"count":"10","sum":"20","buckets":[[1,"-1.6817928305074288","-1.414213562373095","1"],[1,"-1.414213562373095","-1.189207115002721","2"],[3,"-0.001","0.001","12"],[0,"1.414213562373095","1.6817928305074288","1"],[0,"1.6817928305074288","2","2"],[0,"2.378414230005442","2.82842712474619","2"],[0,"2.82842712474619","3.3635856610148576","1"],[0,"3.3635856610148576","4","1"]]}',
    );
  });

  it('leaves out empty buckets, and the buckets key when none is populated', () => {
    const h = new FloatHistogram({
      count: 0,
      sum: 0,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [0, 0],
    });
    expect(toApiHistogram(h)).toEqual({ count: '0', sum: '0' });
  });

  it('writes custom buckets closed at the top, the first one closed at -Inf', () => {
    const h = new FloatHistogram({
      schema: -53,
      count: 6,
      sum: 7.5,
      positiveSpans: [{ offset: 0, length: 3 }],
      positiveBuckets: [1, 2, 3],
      customValues: [1, 2],
    });
    expect(toApiHistogram(h).buckets).toEqual([
      [3, '-Inf', '1', '1'],
      [0, '1', '2', '2'],
      [0, '2', '+Inf', '3'],
    ]);
  });
});

describe('formatApiJsonFloat', () => {
  it.each([
    [1e-7, '1e-07'],
    [0.000001, '0.000001'],
    [1.5e21, '1.5e+21'],
    [1e20, '100000000000000000000'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [1.234e-100, '1.234e-100'],
  ])('writes %d as Go’s strconv with e below 1e-6 and from 1e21: %s', (value, text) => {
    expect(formatApiJsonFloat(value)).toBe(text);
  });
});
