/**
 * The cases of Prometheus's `TestFloatHistogramMul` and `TestFloatHistogramDiv` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import type { FloatHistogram } from '../float-histogram.ts';
import { fh } from './histogram-literal.ts';

export const mulCases: readonly (readonly [string, FloatHistogram, number, FloatHistogram])[] = [
  ['zero value', fh({}), 3.25, fh({})],
  [
    'zero multiplier',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    0,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [0, 0, 0, 0],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [0, 0, 0, 0],
    }),
  ],
  [
    'no-op',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    1,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
  ],
  [
    'double',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    2,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 3493.3 * 2,
      sum: 2349209.324 * 2,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [2, 6.6, 8.4, 0.2],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [6.2, 6, 1.234e5 * 2, 2000],
    }),
  ],
  [
    'triple',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
    3,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 33,
      count: 90,
      sum: 69,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [3, 0, 9, 12, 21],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [9, 3, 15, 18],
    }),
  ],
  [
    'negation',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
    -1,
    fh({
      zeroThreshold: 0.01,
      zeroCount: -11,
      count: -30,
      sum: -23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [-1, 0, -3, -4, -7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [-3, -1, -5, -6],
      counterResetHint: 'gauge',
    }),
  ],
  [
    'negative multiplier',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
    -2,
    fh({
      zeroThreshold: 0.01,
      zeroCount: -22,
      count: -60,
      sum: -46,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [-2, 0, -6, -8, -14],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [-6, -2, -10, -12],
      counterResetHint: 'gauge',
    }),
  ],
  [
    'no-op with custom buckets',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
    1,
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
  ],
  [
    'triple with custom buckets',
    fh({
      schema: -53,
      count: 30,
      sum: 23,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      customValues: [1, 2, 3, 4],
    }),
    3,
    fh({
      schema: -53,
      count: 90,
      sum: 69,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [3, 0, 9, 12, 21],
      customValues: [1, 2, 3, 4],
    }),
  ],
];

export const divCases: readonly (readonly [string, FloatHistogram, number, FloatHistogram])[] = [
  ['zero value', fh({}), 3.25, fh({})],
  [
    'zero divisor',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    0,
    fh({
      zeroThreshold: 0.01,
      count: Infinity,
      sum: Infinity,
      zeroCount: Infinity,
    }),
  ],
  [
    'no-op',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    1,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
  ],
  [
    'half',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
    2,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 15,
      sum: 11.5,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [0.5, 0, 1.5, 2, 3.5],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [1.5, 0.5, 2.5, 3],
    }),
  ],
  [
    'negation',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    -1,
    fh({
      zeroThreshold: 0.01,
      zeroCount: -5.5,
      count: -3493.3,
      sum: -2349209.324,
      positiveSpans: [
        [-2, 1],
        [2, 3],
      ],
      positiveBuckets: [-1, -3.3, -4.2, -0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [-3.1, -3, -1.234e5, -1000],
      counterResetHint: 'gauge',
    }),
  ],
  [
    'negative half',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 23,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
    -2,
    fh({
      zeroThreshold: 0.01,
      zeroCount: -5.5,
      count: -15,
      sum: -11.5,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [-0.5, 0, -1.5, -2, -3.5],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [-1.5, -0.5, -2.5, -3],
      counterResetHint: 'gauge',
    }),
  ],
  [
    'no-op with custom buckets',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
    1,
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
  ],
  [
    'half with custom buckets',
    fh({
      schema: -53,
      count: 30,
      sum: 23,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      customValues: [1, 2, 3, 4],
    }),
    2,
    fh({
      schema: -53,
      count: 15,
      sum: 11.5,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [0.5, 0, 1.5, 2, 3.5],
      customValues: [1, 2, 3, 4],
    }),
  ],
];
