/**
 * Exact arithmetic on base-2 exponential histogram points as plain data (the OTel data model), for adding
 * the points of several processes and for turning cumulative totals into deltas. Downscaling from scale `s`
 * to `s - k` merges buckets `i` into `i >> k`, exactly as `ExponentialHistogramCell.merge` of the metrics core
 * does, so adding two points gives the buckets one histogram would have had after recording both sets of
 * values (see the property test beside this file).
 */
import type { ExponentialHistogramValue } from '@yardstick/metrics-core';

/** The specification's default `MaxSize`: the fewest buckets per range a merged point may keep. */
const DEFAULT_MAX_SIZE = 160;

type Range = ExponentialHistogramValue['positive'];

/** The inclusive index span of `range` at `shift` scales below its own, or undefined when it has no counts. */
function spanOf(range: Range, shift: number): readonly [number, number] | undefined {
  if (range.bucketCounts.length === 0) return undefined;
  return [range.offset >> shift, (range.offset + range.bucketCounts.length - 1) >> shift];
}

/** Adds `range` (at `shift` scales above the target) into `counts`, whose index 0 is bucket `low`. */
function addInto(counts: number[], low: number, range: Range, shift: number, sign: 1 | -1): void {
  const { offset, bucketCounts } = range;
  for (let i = 0; i < bucketCounts.length; i++) {
    const count = bucketCounts[i]!;
    if (count !== 0) counts[((offset + i) >> shift) - low]! += sign * count;
  }
}

/** The highest scale at or below `scale` where `ranges` (one side of each point, with its scale) fit together. */
function fittingScale(
  ranges: ReadonlyArray<readonly [Range, number]>,
  scale: number,
  maxSize: number,
): number {
  for (let target = scale; ; target--) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const [range, rangeScale] of ranges) {
      const span = spanOf(range, rangeScale - target);
      if (span === undefined) continue;
      low = Math.min(low, span[0]);
      high = Math.max(high, span[1]);
    }
    if (high < low || high - low < maxSize) return target;
  }
}

/** Re-buckets `sides` (positive or negative ranges of each point, with their scales) at `target`. */
function rebucket(sides: ReadonlyArray<readonly [Range, number, 1 | -1]>, target: number): Range | undefined {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const [range, scale] of sides) {
    const span = spanOf(range, scale - target);
    if (span === undefined) continue;
    low = Math.min(low, span[0]);
    high = Math.max(high, span[1]);
  }
  if (high < low) return { offset: 0, bucketCounts: [] };
  const counts = new Array<number>(high - low + 1).fill(0);
  for (const [range, scale, sign] of sides) addInto(counts, low, range, scale - target, sign);
  if (counts.some((count) => count < 0)) return undefined;
  // Leading and trailing empty buckets carry nothing (a delta often starts or ends with some).
  let first = 0;
  let last = counts.length - 1;
  while (first <= last && counts[first] === 0) first++;
  while (last >= first && counts[last] === 0) last--;
  if (first > last) return { offset: 0, bucketCounts: [] };
  return { offset: low + first, bucketCounts: counts.slice(first, last + 1) };
}

function hasBuckets(value: ExponentialHistogramValue): boolean {
  return value.positive.bucketCounts.length > 0 || value.negative.bucketCounts.length > 0;
}

function lowerDefined(a: number | undefined, b: number | undefined, pick: (x: number, y: number) => number) {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return pick(a, b);
}

/**
 * `a` plus `b`, exactly: both are brought to the lower of their scales, then lower still until each range
 * fits in as many buckets as the larger input holds (at least 160). `min`/`max` are kept when both points
 * report them (or one of them is empty).
 */
export function addExponential(
  a: ExponentialHistogramValue,
  b: ExponentialHistogramValue,
): ExponentialHistogramValue {
  const withBuckets = [a, b].filter(hasBuckets);
  const maxSize = Math.max(
    DEFAULT_MAX_SIZE,
    a.positive.bucketCounts.length,
    a.negative.bucketCounts.length,
    b.positive.bucketCounts.length,
    b.negative.bucketCounts.length,
  );
  const start = withBuckets.length === 0 ? 0 : Math.min(...withBuckets.map((value) => value.scale));
  // Lowering the scale only narrows a range, so the lower of the two sides' fitting scales fits both.
  const scale = Math.min(
    fittingScale(
      [
        [a.positive, a.scale],
        [b.positive, b.scale],
      ],
      start,
      maxSize,
    ),
    fittingScale(
      [
        [a.negative, a.scale],
        [b.negative, b.scale],
      ],
      start,
      maxSize,
    ),
  );
  const count = a.count + b.count;
  const keepMinMax = (a.count === 0 || a.min !== undefined) && (b.count === 0 || b.min !== undefined);
  return {
    count,
    ...(a.sum === undefined || b.sum === undefined ? {} : { sum: a.sum + b.sum }),
    scale,
    zeroCount: a.zeroCount + b.zeroCount,
    // Only subtraction can make a range negative; an addition always re-buckets.
    positive: rebucket(
      [
        [a.positive, a.scale, 1],
        [b.positive, b.scale, 1],
      ],
      scale,
    )!,
    negative: rebucket(
      [
        [a.negative, a.scale, 1],
        [b.negative, b.scale, 1],
      ],
      scale,
    )!,
    ...(keepMinMax && count > 0
      ? { min: lowerDefined(a.min, b.min, Math.min)!, max: lowerDefined(a.max, b.max, Math.max)! }
      : {}),
  };
}

/**
 * `current` minus `previous` (an earlier cumulative value of the same series), at the lower of their scales,
 * without `min`/`max` (a delta's extremes are unknown). Undefined when `current` does not contain
 * `previous` (a bucket or the count would go negative): the series was reset.
 */
export function subtractExponential(
  current: ExponentialHistogramValue,
  previous: ExponentialHistogramValue,
): ExponentialHistogramValue | undefined {
  const count = current.count - previous.count;
  const zeroCount = current.zeroCount - previous.zeroCount;
  if (count < 0 || zeroCount < 0) return undefined;
  const scale = hasBuckets(previous) ? Math.min(current.scale, previous.scale) : current.scale;
  const positive = rebucket(
    [
      [current.positive, current.scale, 1],
      [previous.positive, previous.scale, -1],
    ],
    scale,
  );
  const negative = rebucket(
    [
      [current.negative, current.scale, 1],
      [previous.negative, previous.scale, -1],
    ],
    scale,
  );
  if (positive === undefined || negative === undefined) return undefined;
  return {
    count,
    ...(current.sum === undefined || previous.sum === undefined ? {} : { sum: current.sum - previous.sum }),
    scale: positive.bucketCounts.length === 0 && negative.bucketCounts.length === 0 ? 0 : scale,
    zeroCount,
    positive,
    negative,
  };
}
