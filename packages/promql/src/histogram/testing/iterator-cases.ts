/**
 * The cases of Prometheus's `TestAllFloatBucketIterator`, `TestFloatBucketIteratorTargetSchema` and `TestFloatCustomBucketsIterators` (model/histogram/float_histogram_test.go, Apache-2.0), translated
 * field by field; the Go comments are kept.
 */
import type { Bucket } from '../bucket.ts';
import type { FloatHistogram } from '../float-histogram.ts';
import { type AllBucketCase, fh, type TargetSchemaCase } from './histogram-literal.ts';

export const allBucketCases: readonly AllBucketCase[] = [
  {
    h: fh({
      count: 405,
      zeroCount: 102,
      zeroThreshold: 0.001,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 0 },
        { offset: 3, length: 3 },
        { offset: 3, length: 0 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 1, length: 0 },
        { offset: 3, length: 0 },
        { offset: 3, length: 4 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    includeNeg: true,
    includeZero: true,
    includePos: true,
  },
  {
    h: fh({
      count: 405,
      zeroCount: 102,
      zeroThreshold: 0.001,
      sum: 1008.4,
      schema: 1,
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 1, length: 0 },
        { offset: 3, length: 0 },
        { offset: 3, length: 4 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    includeNeg: true,
    includeZero: true,
    includePos: false,
  },
  {
    h: fh({
      count: 405,
      zeroCount: 102,
      zeroThreshold: 0.001,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 0 },
        { offset: 3, length: 3 },
        { offset: 3, length: 0 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
    }),
    includeNeg: false,
    includeZero: true,
    includePos: true,
  },
  {
    h: fh({
      count: 405,
      zeroCount: 102,
      zeroThreshold: 0.001,
      sum: 1008.4,
      schema: 1,
    }),
    includeNeg: false,
    includeZero: true,
    includePos: false,
  },
  {
    h: fh({
      count: 405,
      zeroCount: 0,
      zeroThreshold: 0.001,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 0 },
        { offset: 3, length: 3 },
        { offset: 3, length: 0 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 1, length: 0 },
        { offset: 3, length: 0 },
        { offset: 3, length: 4 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    includeNeg: true,
    includeZero: false,
    includePos: true,
  },
  {
    h: fh({
      count: 447,
      zeroCount: 42,
      zeroThreshold: 0.5, // Coinciding with bucket boundary.
      sum: 1008.4,
      schema: 0,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 0 },
        { offset: 3, length: 3 },
        { offset: 3, length: 0 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 1, length: 0 },
        { offset: 3, length: 0 },
        { offset: 3, length: 4 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    includeNeg: true,
    includeZero: true,
    includePos: true,
  },
  {
    h: fh({
      count: 447,
      zeroCount: 42,
      zeroThreshold: 0.6, // Within the bucket closest to zero.
      sum: 1008.4,
      schema: 0,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 0 },
        { offset: 3, length: 3 },
        { offset: 3, length: 0 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 1, length: 0 },
        { offset: 3, length: 0 },
        { offset: 3, length: 4 },
        { offset: 2, length: 0 },
        { offset: 5, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    includeNeg: true,
    includeZero: true,
    includePos: true,
  },
];

export const targetSchemaCases: Record<string, TargetSchemaCase> = {
  regular: {
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 3 },
        { offset: 2, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 7, length: 4 },
        { offset: 1, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 4, upper: 16, lowerInclusive: false, upperInclusive: true, count: 68, index: 2 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 322, index: 3 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 10, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 1264, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 184, index: 3 },
      { lower: -256, upper: -64, lowerInclusive: true, upperInclusive: false, count: 791, index: 4 },
      { lower: -1024, upper: -256, lowerInclusive: true, upperInclusive: false, count: 33, index: 5 },
    ],
  },
  'missing buckets': {
    // One fewer bucket than expected based on spans. This
    // can only happen with invalid histograms. We still
    // want to handle it gracefully, essentially by
    // considering the missing bucket as empty.
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 3 },
        { offset: 2, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 7, length: 4 },
        { offset: 1, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 4, upper: 16, lowerInclusive: false, upperInclusive: true, count: 68, index: 2 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 289, index: 3 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 10, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 1264, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 184, index: 3 },
      { lower: -256, upper: -64, lowerInclusive: true, upperInclusive: false, count: 791, index: 4 },
    ],
  },
  'spurious bucket': {
    // One more bucket than expected based on spans. This
    // can only happen with invalid histograms. We still
    // want to handle it gracefully, essentially by ignoring
    // the spurious bucket.
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: 1,
      positiveSpans: [
        { offset: 0, length: 4 },
        { offset: 1, length: 3 },
        { offset: 2, length: 3 },
      ],
      positiveBuckets: [100, 344, 123, 55, 3, 63, 2, 54, 235, 33, 42],
      negativeSpans: [
        { offset: 0, length: 3 },
        { offset: 7, length: 4 },
        { offset: 1, length: 3 },
      ],
      negativeBuckets: [10, 34, 1230, 54, 67, 63, 2, 554, 235, 33, 42],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 4, upper: 16, lowerInclusive: false, upperInclusive: true, count: 68, index: 2 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 322, index: 3 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 10, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 1264, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 184, index: 3 },
      { lower: -256, upper: -64, lowerInclusive: true, upperInclusive: false, count: 791, index: 4 },
      { lower: -1024, upper: -256, lowerInclusive: true, upperInclusive: false, count: 33, index: 5 },
    ],
  },
  'no schema change': {
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: -1,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      positiveBuckets: [100, 522, 68, 322],
      negativeSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      negativeBuckets: [100, 522, 68, 322],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 68, index: 3 },
      { lower: 64, upper: 256, lowerInclusive: false, upperInclusive: true, count: 322, index: 4 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 100, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 522, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 68, index: 3 },
      { lower: -256, upper: -64, lowerInclusive: true, upperInclusive: false, count: 322, index: 4 },
    ],
  },
  'no schema change, missing bucket': {
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: -1,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      positiveBuckets: [100, 522, 68],
      negativeSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      negativeBuckets: [100, 522, 68],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 68, index: 3 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 100, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 522, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 68, index: 3 },
    ],
  },
  'no schema change, spurious bucket': {
    h: fh({
      count: 405,
      sum: 1008.4,
      schema: -1,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      positiveBuckets: [100, 522, 68, 322, 42],
      negativeSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 2 },
      ],
      negativeBuckets: [100, 522, 68, 322, 42],
    }),
    expPositiveBuckets: [
      { lower: 0.25, upper: 1, lowerInclusive: false, upperInclusive: true, count: 100, index: 0 },
      { lower: 1, upper: 4, lowerInclusive: false, upperInclusive: true, count: 522, index: 1 },
      { lower: 16, upper: 64, lowerInclusive: false, upperInclusive: true, count: 68, index: 3 },
      { lower: 64, upper: 256, lowerInclusive: false, upperInclusive: true, count: 322, index: 4 },
    ],
    expNegativeBuckets: [
      { lower: -1, upper: -0.25, lowerInclusive: true, upperInclusive: false, count: 100, index: 0 },
      { lower: -4, upper: -1, lowerInclusive: true, upperInclusive: false, count: 522, index: 1 },
      { lower: -64, upper: -16, lowerInclusive: true, upperInclusive: false, count: 68, index: 3 },
      { lower: -256, upper: -64, lowerInclusive: true, upperInclusive: false, count: 322, index: 4 },
    ],
  },
};

export const customIteratorCases: readonly { h: FloatHistogram; expPositiveBuckets: readonly Bucket[] }[] = [
  {
    h: fh({
      count: 622,
      sum: 10008.4,
      schema: -53,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 1 },
        { offset: 1, length: 1 },
      ],
      positiveBuckets: [100, 344, 123, 55],
      customValues: [10, 25, 50, 100, 500],
    }),
    expPositiveBuckets: [
      { lower: -Infinity, upper: 10, lowerInclusive: true, upperInclusive: true, count: 100, index: 0 },
      { lower: 10, upper: 25, lowerInclusive: false, upperInclusive: true, count: 344, index: 1 },
      { lower: 50, upper: 100, lowerInclusive: false, upperInclusive: true, count: 123, index: 3 },
      { lower: 500, upper: Infinity, lowerInclusive: false, upperInclusive: true, count: 55, index: 5 },
    ],
  },
  {
    h: fh({
      count: 622,
      sum: 10008.4,
      schema: -53,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 1 },
        { offset: 1, length: 1 },
      ],
      positiveBuckets: [100, 344, 123, 55],
      customValues: [-10, -5, 0, 10, 25],
    }),
    expPositiveBuckets: [
      { lower: -Infinity, upper: -10, lowerInclusive: true, upperInclusive: true, count: 100, index: 0 },
      { lower: -10, upper: -5, lowerInclusive: false, upperInclusive: true, count: 344, index: 1 },
      { lower: 0, upper: 10, lowerInclusive: false, upperInclusive: true, count: 123, index: 3 },
      { lower: 25, upper: Infinity, lowerInclusive: false, upperInclusive: true, count: 55, index: 5 },
    ],
  },
];
