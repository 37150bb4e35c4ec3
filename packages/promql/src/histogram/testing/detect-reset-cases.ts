/**
 * The cases of Prometheus's `TestFloatHistogramDetectReset` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import type { FloatHistogram } from '../float-histogram.ts';
import { fh } from './histogram-literal.ts';

export const detectResetCases: readonly (readonly [string, FloatHistogram, FloatHistogram, boolean])[] = [
  ['zero values', fh({}), fh({}), false],
  [
    'no buckets to some buckets',
    fh({}),
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
    false,
  ],
  [
    'some buckets to no buckets',
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
    fh({}),
    true,
  ],
  [
    'one bucket appears, nothing else changes',
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
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'one bucket disappears, nothing else changes',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
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
    true,
  ],
  [
    'an unpopulated bucket disappears, nothing else changes',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
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
    false,
  ],
  [
    'an unpopulated bucket at the end disappears, nothing else changes',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [1, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 1],
        [1, 2],
      ],
      positiveBuckets: [1, 3.3, 4.2],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'an unpopulated bucket disappears in a histogram with nothing else',
    fh({
      positiveSpans: [[23, 1]],
      positiveBuckets: [0],
    }),
    fh({}),
    false,
  ],
  [
    'zero count goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.6,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'zero count goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.4,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'count goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.4,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'count goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.2,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'sum goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349210,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'sum goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349200,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'one positive bucket goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.3, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'one positive bucket goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.1, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'one negative bucket goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3.1, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'one negative bucket goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 2.9, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'zero threshold decreases',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.009,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'zero threshold increases without touching any existing buckets',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.011,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'zero threshold increases enough to cover existing buckets',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 1,
      zeroCount: 7.73,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [[1, 3]],
      positiveBuckets: [3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'zero threshold increases into the middle of an existing buckets',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.3,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'schema increases without any other changes',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 0,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 1,
      positiveSpans: [
        [-5, 4],
        [2, 6],
      ],
      positiveBuckets: [0.4, 0.6, 1, 0.23, 2, 1.3, 1.2, 3, 0.05, 0.05],
      negativeSpans: [
        [5, 4],
        [6, 4],
      ],
      negativeBuckets: [2, 1.1, 2, 1, 0.234e5, 1e5, 500, 500],
    }),
    true,
  ],
  [
    'schema decreases without any other changes',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 1,
      positiveSpans: [
        [-5, 4],
        [2, 6],
      ],
      positiveBuckets: [0.4, 0.6, 1, 0.23, 2, 1.3, 1.2, 3, 0.05, 0.05],
      negativeSpans: [
        [5, 4],
        [6, 4],
      ],
      negativeBuckets: [2, 1.1, 2, 1, 0.234e5, 1e5, 500, 500],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 0,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'schema decreases and a bucket goes up',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 1,
      positiveSpans: [
        [-5, 4],
        [2, 6],
      ],
      positiveBuckets: [0.4, 0.6, 1, 0.23, 2, 1.3, 1.2, 3, 0.05, 0.05],
      negativeSpans: [
        [5, 4],
        [6, 4],
      ],
      negativeBuckets: [2, 1.1, 2, 1, 0.234e5, 1e5, 500, 500],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 0,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 4.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    false,
  ],
  [
    'schema decreases and a bucket goes down',
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 1,
      positiveSpans: [
        [-5, 4],
        [2, 6],
      ],
      positiveBuckets: [0.4, 0.6, 1, 0.23, 2, 1.3, 1.2, 3, 0.05, 0.05],
      negativeSpans: [
        [5, 4],
        [6, 4],
      ],
      negativeBuckets: [2, 1.1, 2, 1, 0.234e5, 1e5, 500, 500],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 5.5,
      count: 3493.3,
      sum: 2349209.324,
      schema: 0,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 2.3, 4.2, 0.1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000],
    }),
    true,
  ],
  [
    'no buckets to some buckets with custom bounds',
    fh({
      schema: -53,
      customValues: [1, 2, 3],
    }),
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
    false,
  ],
  [
    'some buckets to no buckets with custom bounds',
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
    fh({
      schema: -53,
      customValues: [1, 2, 3],
    }),
    true,
  ],
  [
    'one bucket appears, nothing else changes with custom bounds',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    false,
  ],
  [
    'one bucket disappears, nothing else changes with custom bounds',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 1.23, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    true,
  ],
  [
    'an unpopulated bucket disappears, nothing else changes with custom bounds',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    false,
  ],
  [
    'one positive bucket goes up with custom bounds',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.3, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    false,
  ],
  [
    'one positive bucket goes down with custom bounds',
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    fh({
      schema: -53,
      count: 3493.3,
      sum: 2349209.324,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3.3, 4.1, 0.1],
      customValues: [1, 2, 3, 4],
    }),
    true,
  ],
  [
    'mismatched custom bounds - no reset when all buckets increase',
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [[0, 4]],
      positiveBuckets: [20, 35, 40, 50], // Previous: buckets for: (-Inf,0], (0,1], (1,2], (2,3], then (3,+Inf]
      customValues: [0, 1, 2, 3],
    }),
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [[0, 5]],
      positiveBuckets: [25, 15, 40, 50, 70], // Current: buckets for: (-Inf,0], (0,0.5], (0.5,1], (1,2], (2,3], then (3,+Inf]
      customValues: [0, 0.5, 1, 2, 3],
    }),
    false, // No reset: (-Inf,0] increases from 20 to 25, (0,1] increases from 35 to 55, (1,2] increases from 40 to 50, (2,3] increases from 50 to 70
  ],
  [
    'mismatched custom bounds - reset in middle bucket',
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 4]],
      positiveBuckets: [10, 15, 20, 25], // Buckets for: [0,1], [1,3], [3,5], [5,+Inf]
      customValues: [0, 1, 3, 5],
    }),
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 5]],
      positiveBuckets: [10, 16, 10, 5, 25], // Buckets for: [0,1], [1,2], [2,3], [3,5], [5,+Inf]
      customValues: [0, 1, 2, 3, 5],
    }),
    true, // Reset detected: [1,3] bucket decreased from 20 to 15
  ],
  [
    'mismatched custom bounds - reset in last bucket',
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 3]],
      positiveBuckets: [10, 20, 20], // Buckets for: [0,1], [1,2], [2,+Inf]
      customValues: [0, 1, 2],
    }),
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 4]],
      positiveBuckets: [100, 200, 8, 7], // Buckets for: [0,1], [1,2], [2,3], [3,+Inf]
      customValues: [0, 1, 2, 3],
    }),
    true, // Reset detected: [2,+Inf] bucket decreased from 20 to 15
  ],
  [
    'mismatched custom bounds - no common bounds',
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 3]],
      positiveBuckets: [10, 20, 30], // Buckets for: [1,2], [2,3], [3,+Inf]
      customValues: [4, 5, 6],
    }),
    fh({
      schema: -53,
      count: 100,
      sum: 500,
      positiveSpans: [[1, 3]],
      positiveBuckets: [15, 25, 35], // Buckets for: [4,5], [5,6], [6,+Inf]
      customValues: [1, 2, 3],
    }),
    false, // no decrease in aggregated single +Inf bounded bucket
  ],
  [
    'mismatched custom bounds - sparse common bounds',
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [[0, 4]],
      positiveBuckets: [10, 20, 30, 40], // Previous: buckets for: (-Inf,0], (0,1], (1,3], (3,5], then (5,+Inf]
      customValues: [0, 1, 3, 5],
    }),
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [[0, 5]],
      positiveBuckets: [15, 25, 70, 50, 100], // Current: buckets for: (-Inf,0], (0,2], (2,3], (3,4], (4,5], then (5,+Inf]
      customValues: [0, 2, 3, 4, 5],
    }),
    false, // No reset: common bounds [0,3,5] all increase when mapped
  ],
  [
    'reset detected with mismatched custom bounds and split bucket spans',
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ], // Split spans: buckets at indices 0,1 and 3,4,5
      positiveBuckets: [10, 20, 30, 40, 50], // Buckets for: (-Inf,0], (0,1], skip (1,2], then (2,3], (3,4], (4,5]
      customValues: [0, 1, 2, 3, 4, 5],
    }),
    fh({
      schema: -53,
      count: 200,
      sum: 1000,
      positiveSpans: [
        [0, 3],
        [1, 2],
      ], // Split spans: buckets at indices 0,1,2 and 4,5
      positiveBuckets: [15, 25, 35, 25, 60], // Buckets for: (-Inf,0], (0,1], (1,3], skip (3,4], then (4,5], (5,7]
      customValues: [0, 1, 3, 4, 5, 7],
    }),
    true, // Reset detected: bucket (3,4] goes from 40 to 0 (missing in current histogram)
  ],
  [
    'no reset with mismatched custom bounds and split bucket spans',
    fh({
      schema: -53,
      count: 300,
      sum: 1500,
      positiveSpans: [
        [0, 2],
        [2, 3],
      ], // Split spans: buckets at indices 0,1 and 4,5,6
      positiveBuckets: [10, 20, 30, 40, 50], // Buckets for: (-Inf,0], (0,1], skip (1,2], (2,3], then (3,4], (4,5], (5,6]
      customValues: [0, 1, 2, 3, 4, 5, 6],
    }),
    fh({
      schema: -53,
      count: 300,
      sum: 1500,
      positiveSpans: [
        [0, 3],
        [1, 2],
      ], // Split spans: buckets at indices 0,1,2 and 4,5
      positiveBuckets: [12, 25, 45, 75, 95], // Buckets for: (-Inf,0], (0,0.5], (0.5,1], skip (1,3], then (3,5], (5,7]
      customValues: [0, 0.5, 1, 3, 5, 7],
    }),
    false, // No reset: all mapped buckets increase
  ],
  [
    // The previous histogram's first negative bucket is empty and a
    // later one is populated. The current histogram has no negative
    // buckets at all, so the populated previous bucket disappeared,
    // which is a reset.
    'reset when a populated bucket following an empty one disappears',
    fh({
      zeroThreshold: 0.001,
      count: 10,
      positiveSpans: [[0, 1]],
      positiveBuckets: [5],
      negativeSpans: [[1, 2]],
      negativeBuckets: [0, 5],
    }),
    fh({
      zeroThreshold: 0.001,
      count: 20,
      positiveSpans: [[0, 1]],
      positiveBuckets: [20],
    }),
    true,
  ],
  [
    // The current histogram runs out of buckets before a later
    // populated bucket of the previous histogram, which sits behind an
    // empty one. That populated bucket disappeared, so it is a reset.
    'reset when current ends before a later populated previous bucket',
    fh({
      zeroThreshold: 0.001,
      count: 7,
      positiveSpans: [[0, 3]],
      positiveBuckets: [2, 0, 5],
    }),
    fh({
      zeroThreshold: 0.001,
      count: 100,
      positiveSpans: [[0, 1]],
      positiveBuckets: [100],
    }),
    true,
  ],
];
