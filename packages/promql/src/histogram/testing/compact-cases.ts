/**
 * The cases of Prometheus's `TestFloatHistogramCompact` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import type { FloatHistogram } from '../float-histogram.ts';
import { fh } from './histogram-literal.ts';

export const compactCases: readonly (readonly [string, FloatHistogram, number, FloatHistogram])[] = [
  ['empty histogram', fh({}), 0, fh({})],
  [
    'nothing should happen',
    fh({
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
    'eliminate zero offsets',
    fh({
      positiveSpans: [
        [-2, 1],
        [0, 3],
        [0, 1],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [0, 2],
        [2, 1],
        [0, 1],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
    0,
    fh({
      positiveSpans: [[-2, 5]],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 4],
        [2, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'eliminate zero length',
    fh({
      positiveSpans: [
        [-2, 2],
        [2, 0],
        [3, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [0, 0],
        [2, 0],
        [1, 4],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 2],
        [5, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 4],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'eliminate multiple zero length spans',
    fh({
      positiveSpans: [
        [-2, 2],
        [2, 0],
        [2, 0],
        [2, 0],
        [3, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 2],
        [9, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
    }),
  ],
  [
    'cut empty buckets at start or end',
    fh({
      positiveSpans: [
        [-4, 4],
        [5, 3],
      ],
      positiveBuckets: [0, 0, 1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4, 0],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 2],
        [5, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 4],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'cut empty buckets at start and end',
    fh({
      positiveSpans: [
        [-4, 4],
        [5, 6],
      ],
      positiveBuckets: [0, 0, 1, 3.3, 4.2, 0.1, 3.3, 0, 0, 0],
      negativeSpans: [
        [-2, 4],
        [3, 5],
      ],
      negativeBuckets: [0, 0, 3.1, 3, 1.234e5, 1000, 3, 4, 0],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 2],
        [5, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 4],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'cut empty buckets in the middle',
    fh({
      positiveSpans: [[5, 4]],
      positiveBuckets: [1, 3, 0, 2],
    }),
    0,
    fh({
      positiveSpans: [
        { offset: 5, length: 2 },
        { offset: 1, length: 1 },
      ],
      positiveBuckets: [1, 3, 2],
    }),
  ],
  [
    'cut empty buckets at start or end of spans, even in the middle',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 6],
      ],
      positiveBuckets: [0, 0, 1, 3.3, 0, 0, 4.2, 0.1, 3.3, 0, 0, 0],
      negativeSpans: [
        [0, 2],
        [2, 6],
      ],
      negativeBuckets: [3.1, 3, 0, 1.234e5, 1000, 3, 4, 0],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 2],
        [5, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 4],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'cut empty buckets at start and end - also merge spans due to maxEmptyBuckets',
    fh({
      positiveSpans: [
        [-4, 4],
        [5, 3],
      ],
      positiveBuckets: [0, 0, 1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4, 0],
    }),
    10,
    fh({
      positiveSpans: [[-2, 10]],
      positiveBuckets: [1, 3.3, 0, 0, 0, 0, 0, 4.2, 0.1, 3.3],
      negativeSpans: [[0, 9]],
      negativeBuckets: [3.1, 3, 0, 0, 0, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'cut empty buckets from the middle of a span',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 3],
      ],
      positiveBuckets: [0, 0, 1, 0, 0, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 1],
        [2, 1],
        [3, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 2],
        [1, 2],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 3, 4],
    }),
  ],
  [
    'cut out a span containing only empty buckets',
    fh({
      positiveSpans: [
        [-4, 3],
        [2, 2],
        [3, 4],
      ],
      positiveBuckets: [0, 0, 1, 0, 0, 3.3, 4.2, 0.1, 3.3],
    }),
    0,
    fh({
      positiveSpans: [
        [-2, 1],
        [7, 4],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
    }),
  ],
  [
    'cut empty buckets from the middle of a span, avoiding none due to maxEmptyBuckets',
    fh({
      positiveSpans: [[-2, 4]],
      positiveBuckets: [1, 0, 0, 3.3],
    }),
    1,
    fh({
      positiveSpans: [
        [-2, 1],
        [2, 1],
      ],
      positiveBuckets: [1, 3.3],
    }),
  ],
  [
    'cut empty buckets and merge spans due to maxEmptyBuckets',
    fh({
      positiveSpans: [
        [-2, 4],
        [3, 1],
      ],
      positiveBuckets: [1, 0, 0, 3.3, 4.2],
    }),
    1,
    fh({
      positiveSpans: [
        [-2, 1],
        [2, 1],
        [3, 1],
      ],
      positiveBuckets: [1, 3.3, 4.2],
    }),
  ],
  [
    'cut empty buckets from the middle of a span, avoiding some due to maxEmptyBuckets',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 3],
        [10, 2],
      ],
      positiveBuckets: [0, 0, 1, 0, 0, 3.3, 4.2, 0.1, 3.3, 2, 3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
    1,
    fh({
      positiveSpans: [
        [-2, 1],
        [2, 1],
        [3, 3],
        [10, 2],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3, 2, 3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
  ],
  [
    'avoiding all cutting of empty buckets from the middle of a chunk due to maxEmptyBuckets',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 3],
      ],
      positiveBuckets: [0, 0, 1, 0, 0, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
    2,
    fh({
      positiveSpans: [
        [-2, 4],
        [3, 3],
      ],
      positiveBuckets: [1, 0, 0, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
  ],
  [
    'everything merged into one span due to maxEmptyBuckets',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 3],
      ],
      positiveBuckets: [0, 0, 1, 0, 0, 3.3, 4.2, 0.1, 3.3],
      negativeSpans: [
        [0, 2],
        [3, 5],
      ],
      negativeBuckets: [3.1, 3, 1.234e5, 1000, 0, 3, 4],
    }),
    3,
    fh({
      positiveSpans: [[-2, 10]],
      positiveBuckets: [1, 0, 0, 3.3, 0, 0, 0, 4.2, 0.1, 3.3],
      negativeSpans: [[0, 10]],
      negativeBuckets: [3.1, 3, 0, 0, 0, 1.234e5, 1000, 0, 3, 4],
    }),
  ],
  [
    'more than one span merged in the same pass',
    fh({
      positiveSpans: [
        [-2, 2],
        [2, 2],
        [2, 2],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3, 2],
      negativeSpans: [
        [0, 1],
        [1, 1],
        [1, 1],
      ],
      negativeBuckets: [3.1, 1000, 4],
    }),
    3,
    fh({
      positiveSpans: [[-2, 10]],
      positiveBuckets: [1, 3.3, 0, 0, 4.2, 0.1, 0, 0, 3.3, 2],
      negativeSpans: [[0, 5]],
      negativeBuckets: [3.1, 0, 1000, 0, 4],
    }),
  ],
  [
    'only empty buckets and maxEmptyBuckets greater zero',
    fh({
      positiveSpans: [
        [-4, 6],
        [3, 3],
      ],
      positiveBuckets: [0, 0, 0, 0, 0, 0, 0, 0, 0],
      negativeSpans: [[0, 7]],
      negativeBuckets: [0, 0, 0, 0, 0, 0, 0],
    }),
    3,
    fh({
      positiveSpans: [],
      positiveBuckets: [],
      negativeSpans: [],
      negativeBuckets: [],
    }),
  ],
  [
    'multiple spans of only empty buckets',
    fh({
      positiveSpans: [
        [-10, 2],
        [2, 1],
        [3, 3],
      ],
      positiveBuckets: [0, 0, 0, 0, 2, 3],
      negativeSpans: [
        [-10, 2],
        [2, 1],
        [3, 3],
      ],
      negativeBuckets: [2, 3, 0, 0, 0, 0],
    }),
    0,
    fh({
      positiveSpans: [[-1, 2]],
      positiveBuckets: [2, 3],
      negativeSpans: [[-10, 2]],
      negativeBuckets: [2, 3],
    }),
  ],
  [
    'nothing should happen with custom buckets',
    fh({
      schema: -53,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
    0,
    fh({
      schema: -53,
      positiveSpans: [
        [0, 1],
        [2, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1],
      customValues: [1, 2, 3],
    }),
  ],
  [
    'eliminate zero offsets with custom buckets',
    fh({
      schema: -53,
      positiveSpans: [
        [0, 1],
        [0, 3],
        [0, 1],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      customValues: [1, 2, 3, 4],
    }),
    0,
    fh({
      schema: -53,
      positiveSpans: [[0, 5]],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      customValues: [1, 2, 3, 4],
    }),
  ],
  [
    'eliminate multiple zero length spans with custom buckets',
    fh({
      schema: -53,
      positiveSpans: [
        [0, 2],
        [2, 0],
        [2, 0],
        [2, 0],
        [3, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      customValues: [1, 2, 3, 4],
    }),
    0,
    fh({
      schema: -53,
      positiveSpans: [
        [0, 2],
        [9, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      customValues: [1, 2, 3, 4],
    }),
  ],
  [
    'cut empty buckets at start and end with custom buckets',
    fh({
      schema: -53,
      positiveSpans: [
        [0, 4],
        [5, 6],
      ],
      positiveBuckets: [0, 0, 1, 3.3, 4.2, 0.1, 3.3, 0, 0, 0],
      customValues: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    }),
    0,
    fh({
      schema: -53,
      positiveSpans: [
        [2, 2],
        [5, 3],
      ],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 3.3],
      customValues: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    }),
  ],
];
