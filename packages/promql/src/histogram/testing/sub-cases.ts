/**
 * The cases of Prometheus's `TestFloatHistogramSub` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import { type CombineCase, fh } from './histogram-literal.ts';

export const subCases: readonly CombineCase[] = [
  {
    name: 'same bucket layout',
    in1: fh({
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
    in2: fh({
      zeroThreshold: 0.01,
      zeroCount: 8,
      count: 21,
      sum: 12,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [0, 0, 2, 3, 6],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [1, 1, 4, 4],
    }),
    expected: fh({
      zeroThreshold: 0.01,
      zeroCount: 3,
      count: 9,
      sum: 11,
      positiveSpans: [
        [-2, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 1, 1, 1],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [2, 0, 1, 2],
    }),
  },
  {
    name: 'schema change',
    in1: fh({
      zeroThreshold: 0.01,
      zeroCount: 8,
      count: 59,
      sum: 1.234,
      schema: 0,
      positiveSpans: [
        [-2, 5],
        [0, 3],
      ],
      positiveBuckets: [2, 5, 4, 2, 3, 6, 7, 5],
      negativeSpans: [
        [3, 3],
        [1, 3],
      ],
      negativeBuckets: [4, 10, 1, 4, 14, 7],
    }),
    in2: fh({
      zeroThreshold: 0.01,
      zeroCount: 2,
      count: 19,
      sum: 0.345,
      schema: 1,
      positiveSpans: [
        [-4, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 1, 2, 2, 3, 4],
      negativeSpans: [
        [6, 3],
        [6, 4],
      ],
      negativeBuckets: [3, 0.5, 0.5, 2, 3, 2, 4],
    }),
    expected: fh({
      zeroThreshold: 0.01,
      zeroCount: 6,
      count: 40,
      sum: 0.889,
      positiveSpans: [
        [-2, 5],
        [0, 3],
      ],
      positiveBuckets: [1, 5, 4, 2, 2, 2, 0, 5],
      negativeSpans: [
        [3, 3],
        [1, 3],
      ],
      negativeBuckets: [1, 9, 1, 4, 9, 1],
    }),
  },
  {
    name: 'same custom bucket layout',
    in1: fh({
      schema: -53,
      count: 15,
      sum: 23,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      customValues: [1, 2, 3, 4, 5],
    }),
    in2: fh({
      schema: -53,
      count: 11,
      sum: 12,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [0, 0, 2, 3, 6],
      customValues: [1, 2, 3, 4, 5],
    }),
    expected: fh({
      schema: -53,
      count: 4,
      sum: 11,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [1, 0, 1, 1, 1],
      customValues: [1, 2, 3, 4, 5],
    }),
  },
  {
    name: 'different custom bucket layout - with intersection and rollup',
    in1: fh({
      schema: -53,
      count: 220,
      sum: 9.9,
      positiveSpans: [
        [0, 2],
        [1, 1],
        [0, 2],
      ],
      positiveBuckets: [10, 20, 40, 50, 100],
      customValues: [1, 2, 3, 4, 5],
      counterResetHint: 'gauge',
    }),
    in2: fh({
      schema: -53,
      count: 6,
      sum: 4.4,
      positiveSpans: [
        [0, 1],
        [1, 1],
      ],
      positiveBuckets: [1, 5],
      customValues: [2, 4],
      counterResetHint: 'gauge',
    }),
    expected: fh({
      schema: -53,
      count: 214,
      sum: 5.5,
      positiveSpans: [[0, 3]],
      positiveBuckets: [10 + 20 - 1, 40, 50 + 100 - 5],
      customValues: [2, 4],
      counterResetHint: 'gauge',
    }),
    expNHCBBoundsReconciled: true,
  },
  {
    name: 'mix exponential and custom buckets histograms',
    in1: fh({
      zeroThreshold: 0.01,
      zeroCount: 8,
      count: 59,
      sum: 1.234,
      schema: 0,
      positiveSpans: [
        [-2, 5],
        [0, 3],
      ],
      positiveBuckets: [2, 5, 4, 2, 3, 6, 7, 5],
      negativeSpans: [
        [3, 3],
        [1, 3],
      ],
      negativeBuckets: [4, 10, 1, 4, 14, 7],
    }),
    in2: fh({
      schema: -53,
      count: 11,
      sum: 12,
      positiveSpans: [
        [0, 2],
        [1, 3],
      ],
      positiveBuckets: [0, 0, 2, 3, 6],
      customValues: [1, 2, 3, 4, 5, 6],
    }),
    expErrMsg:
      'cannot apply this operation on histograms with a mix of exponential and custom bucket schemas',
  },
  {
    name: 'warn on counter reset hint collision',
    in1: fh({
      schema: -53,
      counterResetHint: 'counter-reset',
    }),
    in2: fh({
      schema: -53,
      counterResetHint: 'not-counter-reset',
    }),
    expErrMsg: '',
    expCounterResetCollision: true,
  },
];
