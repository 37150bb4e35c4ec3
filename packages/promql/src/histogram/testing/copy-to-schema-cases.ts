/**
 * The cases of Prometheus's `TestFloatHistogramCopyToSchema` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import type { FloatHistogram } from '../float-histogram.ts';
import { fh } from './histogram-literal.ts';

export const copyToSchemaCases: readonly (readonly [string, number, FloatHistogram, FloatHistogram])[] = [
  [
    'no schema change',
    1,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 2.345,
      schema: 1,
      positiveSpans: [
        [-4, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 3, 2, 2, 3, 4],
      negativeSpans: [
        [6, 3],
        [6, 4],
      ],
      negativeBuckets: [3, 0.5, 0.5, 2, 3, 2, 4],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 2.345,
      schema: 1,
      positiveSpans: [
        [-4, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 3, 2, 2, 3, 4],
      negativeSpans: [
        [6, 3],
        [6, 4],
      ],
      negativeBuckets: [3, 0.5, 0.5, 2, 3, 2, 4],
    }),
  ],
  [
    'schema change',
    0,
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 2.345,
      schema: 1,
      positiveSpans: [
        [-4, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 3, 2, 2, 3, 4],
      negativeSpans: [
        [6, 3],
        [6, 4],
      ],
      negativeBuckets: [3, 0.5, 0.5, 2, 3, 2, 4],
    }),
    fh({
      zeroThreshold: 0.01,
      zeroCount: 11,
      count: 30,
      sum: 2.345,
      schema: 0,
      positiveSpans: [
        [-2, 2],
        [2, 3],
      ],
      positiveBuckets: [1, 0, 3, 4, 7],
      negativeSpans: [
        [3, 2],
        [3, 2],
      ],
      negativeBuckets: [3, 1, 5, 6],
    }),
  ],
  [
    'no schema change for custom buckets',
    -53,
    fh({
      count: 30,
      sum: 2.345,
      schema: -53,
      positiveSpans: [
        [0, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 3, 2, 2, 3, 4],
      customValues: [1, 2, 3, 4, 5, 6, 7],
    }),
    fh({
      count: 30,
      sum: 2.345,
      schema: -53,
      positiveSpans: [
        [0, 3],
        [5, 5],
      ],
      positiveBuckets: [1, 0, 0, 3, 2, 2, 3, 4],
      customValues: [1, 2, 3, 4, 5, 6, 7],
    }),
  ],
];
