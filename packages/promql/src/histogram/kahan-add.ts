/**
 * Kahan-compensated addition of native histograms (Prometheus's `FloatHistogram.KahanAdd`), as `sum`, `avg`,
 * `sum_over_time` and `avg_over_time` use it: the running sum and its compensation are two histograms with
 * one bucket layout, and every count, the sum and each bucket carry their own compensation term.
 *
 * Both operands are first brought to a common layout (the lower schema, a zero bucket wide enough for both,
 * or the custom bounds both share); then each bucket index is summed on its own. Sparse maps keyed by bucket
 * index keep that step simple; the layout is rebuilt from the sorted indexes.
 */
import { type KahanState, kahanInc } from '../engine/float-math.ts';
import { type BucketSide, indexedCounts } from './bucket.ts';
import { customBoundsMatch, intersectCustomBounds } from './custom-buckets.ts';
import { FloatHistogram } from './float-histogram.ts';
import { getBound, targetIndex } from './schema.ts';
import { type Span, sameSpans } from './span.ts';
import { reconcileZeroBuckets } from './zero-bucket.ts';

/** The outcome of {@link kahanAdd}. */
export type KahanAddResult =
  | {
      readonly ok: true;
      /** The new running sum. */
      readonly sum: FloatHistogram;
      /** The new compensation, in the layout of `sum`. */
      readonly compensation: FloatHistogram;
      readonly counterResetCollision: boolean;
      readonly nhcbBoundsReconciled: boolean;
    }
  | { readonly ok: false; readonly error: 'mixed-schemas' };

/** One histogram's counts in a common layout: the zero count and each side's buckets by index. */
interface Sparse {
  zeroCount: number;
  positive: Map<number, number>;
  negative: Map<number, number>;
}

/** Where a histogram's buckets go in the common layout. */
interface Layout {
  readonly schema: number;
  readonly zeroThreshold: number;
  /** Set for custom buckets: the bounds of the result. */
  readonly bounds: readonly number[] | undefined;
}

/**
 * Adds `other` to the running `sum` whose compensation is `compensation` (none yet: `undefined`). The
 * inputs are not changed. Fails, like Prometheus, when one has exponential and the other custom buckets.
 */
export function kahanAdd(
  sum: FloatHistogram,
  compensation: FloatHistogram | undefined,
  other: FloatHistogram,
): KahanAddResult {
  const custom = sum.usesCustomBuckets();
  if (custom !== other.usesCustomBuckets()) return { ok: false, error: 'mixed-schemas' };
  const result = sum.copy();
  const counterResetCollision = result.adjustCounterReset(other);
  let layout: Layout;
  let nhcbBoundsReconciled = false;
  if (custom) {
    nhcbBoundsReconciled = !customBoundsMatch(sum.customValues, other.customValues);
    const bounds = nhcbBoundsReconciled
      ? intersectCustomBounds(sum.customValues, other.customValues)
      : sum.customValues;
    layout = { schema: sum.schema, zeroThreshold: 0, bounds };
  } else {
    // The zero bucket both need: reconcile on a scratch copy, which widens it past populated buckets.
    const scratch = sum.copy();
    reconcileZeroBuckets(scratch, other);
    layout = {
      schema: Math.min(sum.schema, other.schema),
      zeroThreshold: scratch.zeroThreshold,
      bounds: undefined,
    };
  }
  const s = toSparse(sum, layout);
  const c = compensation === undefined ? undefined : toSparse(compensation, layout);
  const o = toSparse(other, layout);

  const count = addTerm(sum.count, compensation?.count ?? 0, other.count);
  const total = addTerm(sum.sum, compensation?.sum ?? 0, other.sum);
  const zero = addTerm(s.zeroCount, c?.zeroCount ?? 0, o.zeroCount);
  const positive = addSide(s.positive, c?.positive, o.positive);
  const negative = addSide(s.negative, c?.negative, o.negative);

  result.schema = layout.schema;
  result.zeroThreshold = layout.zeroThreshold;
  result.count = count.sum;
  result.sum = total.sum;
  result.zeroCount = zero.sum;
  if (layout.bounds !== undefined) result.customValues = layout.bounds;
  const positiveLayout = fromIndexes(positive.indexes);
  const negativeLayout = fromIndexes(negative.indexes);
  result.positiveSpans = positiveLayout;
  result.negativeSpans = negativeLayout;
  result.positiveBuckets = positive.sums;
  result.negativeBuckets = negative.sums;
  const comp = new FloatHistogram({
    // Prometheus's compensation histogram takes the sum's hint when it is created and keeps it.
    counterResetHint: compensation?.counterResetHint ?? result.counterResetHint,
    schema: layout.schema,
    zeroThreshold: layout.zeroThreshold,
    zeroCount: zero.c,
    count: count.c,
    sum: total.c,
    positiveSpans: positiveLayout,
    negativeSpans: negativeLayout,
    positiveBuckets: positive.compensations,
    negativeBuckets: negative.compensations,
    ...(layout.bounds === undefined ? {} : { customValues: layout.bounds }),
  });
  return { ok: true, sum: result, compensation: comp, counterResetCollision, nhcbBoundsReconciled };
}

/**
 * Whether `spans` is how {@link kahanAdd} lays out its own indexes: no empty span and no span touching the
 * one before it (those would be merged).
 */
function canonicalSpans(spans: readonly Span[]): boolean {
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.length === 0 || (i > 0 && span.offset <= 0)) return false;
  }
  return true;
}

/** Whether the lowest bucket of a side lies outside the zero bucket, as every bucket then does. */
function clearOfZeroBucket(spans: readonly Span[], schema: number, zeroThreshold: number): boolean {
  return spans.length === 0 || getBound(spans[0]!.offset, schema, []) > zeroThreshold;
}

/** The bucket indexes that `spans` cover, in order. */
function spanIndexes(spans: readonly Span[], count: number): number[] {
  const out: number[] = [];
  let index = 0;
  for (const span of spans) {
    index += span.offset;
    for (let j = 0; j < span.length && out.length < count; j++) out.push(index++);
  }
  return out;
}

/**
 * One side of {@link kahanAddInPlace}: the sorted union of both sides' indexes, each summed with
 * {@link kahanInc} as {@link addSide} sums it.
 */
function mergeSide(
  sumSpans: readonly Span[],
  sums: readonly number[],
  compensations: readonly number[] | undefined,
  otherSpans: readonly Span[],
  others: readonly number[],
): { spans: Span[]; sums: number[]; compensations: number[] } {
  const a = spanIndexes(sumSpans, sums.length);
  const b = spanIndexes(otherSpans, others.length);
  const indexes: number[] = [];
  const outSums: number[] = [];
  const outCompensations: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ai = i < a.length ? a[i]! : Number.POSITIVE_INFINITY;
    const bj = j < b.length ? b[j]! : Number.POSITIVE_INFINITY;
    term.sum = 0;
    term.c = 0;
    let inc = 0;
    // `0 +` turns -0 into 0, as the sparse maps of the general path do.
    if (ai <= bj) {
      term.sum = 0 + sums[i]!;
      term.c = 0 + (compensations?.[i] ?? 0);
      i++;
    }
    if (bj <= ai) {
      inc = 0 + others[j]!;
      j++;
    }
    kahanInc(term, inc);
    indexes.push(Math.min(ai, bj));
    outSums.push(term.sum);
    outCompensations.push(term.c);
  }
  return { spans: fromIndexes(indexes), sums: outSums, compensations: outCompensations };
}

/**
 * {@link kahanAdd} in place, for what summing the series of one instrument nearly always meets: exponential
 * buckets of one schema and one zero threshold, no bucket inside the zero bucket, and a running sum laid out
 * as {@link kahanAdd} lays it out. Then it merges the buckets of `other` into `sum` and `compensation`
 * (made when `undefined`) with exactly {@link kahanAdd}'s result, and returns the compensation; otherwise it
 * changes nothing and returns `undefined`, and the caller takes the general path.
 *
 * Kept for speed: the general path builds sparse maps and finds every bucket's bound; measured on
 * `sum by (route) (rate(x[5m]))` over 1,000 series of 32 buckets, it took most of the query's time.
 */
export function kahanAddInPlace(
  sum: FloatHistogram,
  compensation: FloatHistogram | undefined,
  other: FloatHistogram,
): FloatHistogram | undefined {
  const { schema, zeroThreshold } = sum;
  if (
    sum.usesCustomBuckets() ||
    other.usesCustomBuckets() ||
    other.schema !== schema ||
    other.zeroThreshold !== zeroThreshold ||
    !canonicalSpans(sum.positiveSpans) ||
    !canonicalSpans(sum.negativeSpans) ||
    !clearOfZeroBucket(sum.positiveSpans, schema, zeroThreshold) ||
    !clearOfZeroBucket(sum.negativeSpans, schema, zeroThreshold) ||
    !clearOfZeroBucket(other.positiveSpans, schema, zeroThreshold) ||
    !clearOfZeroBucket(other.negativeSpans, schema, zeroThreshold)
  ) {
    return undefined;
  }
  if (
    compensation !== undefined &&
    (compensation.schema !== schema ||
      compensation.zeroThreshold !== zeroThreshold ||
      !sameSpans(compensation.positiveSpans, sum.positiveSpans) ||
      !sameSpans(compensation.negativeSpans, sum.negativeSpans))
  ) {
    return undefined;
  }
  sum.adjustCounterReset(other);
  const comp =
    compensation ?? new FloatHistogram({ counterResetHint: sum.counterResetHint, schema, zeroThreshold });
  term.sum = sum.count;
  term.c = comp.count;
  kahanInc(term, other.count);
  sum.count = term.sum;
  comp.count = term.c;
  term.sum = sum.sum;
  term.c = comp.sum;
  kahanInc(term, other.sum);
  sum.sum = term.sum;
  comp.sum = term.c;
  term.sum = sum.zeroCount;
  term.c = comp.zeroCount;
  kahanInc(term, other.zeroCount);
  sum.zeroCount = term.sum;
  comp.zeroCount = term.c;
  const positive = mergeSide(
    sum.positiveSpans,
    sum.positiveBuckets,
    compensation?.positiveBuckets,
    other.positiveSpans,
    other.positiveBuckets,
  );
  const negative = mergeSide(
    sum.negativeSpans,
    sum.negativeBuckets,
    compensation?.negativeBuckets,
    other.negativeSpans,
    other.negativeBuckets,
  );
  sum.positiveSpans = positive.spans;
  sum.positiveBuckets = positive.sums;
  sum.negativeSpans = negative.spans;
  sum.negativeBuckets = negative.sums;
  comp.positiveSpans = positive.spans;
  comp.positiveBuckets = positive.compensations;
  comp.negativeSpans = negative.spans;
  comp.negativeBuckets = negative.compensations;
  return comp;
}

const term: KahanState = { sum: 0, c: 0 };

function addTerm(sum: number, c: number, inc: number): { sum: number; c: number } {
  term.sum = sum;
  term.c = c;
  kahanInc(term, inc);
  return { sum: term.sum, c: term.c };
}

function addSide(
  sums: Map<number, number>,
  compensations: Map<number, number> | undefined,
  other: Map<number, number>,
): { indexes: number[]; sums: number[]; compensations: number[] } {
  const indexes = [...new Set([...sums.keys(), ...other.keys(), ...(compensations?.keys() ?? [])])].sort(
    (a, b) => a - b,
  );
  const outSums: number[] = [];
  const outCompensations: number[] = [];
  for (const index of indexes) {
    const r = addTerm(sums.get(index) ?? 0, compensations?.get(index) ?? 0, other.get(index) ?? 0);
    outSums.push(r.sum);
    outCompensations.push(r.c);
  }
  return { indexes, sums: outSums, compensations: outCompensations };
}

/** Spans covering exactly the sorted `indexes`. */
function fromIndexes(indexes: readonly number[]): Span[] {
  const spans: Span[] = [];
  let next = 0;
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i]!;
    const last = spans[spans.length - 1];
    if (last !== undefined && index === next) {
      spans[spans.length - 1] = { offset: last.offset, length: last.length + 1 };
    } else {
      spans.push({ offset: spans.length === 0 ? index : index - next, length: 1 });
    }
    next = index + 1;
  }
  return spans;
}

/**
 * The counts of `h` in `layout`: exponential buckets inside the zero bucket join the zero count, the others
 * move to their index in the (lower) common schema; custom buckets roll up to the first common bound at or
 * above their own upper bound.
 */
function toSparse(h: FloatHistogram, layout: Layout): Sparse {
  const out: Sparse = { zeroCount: h.zeroCount, positive: new Map(), negative: new Map() };
  const put = (map: Map<number, number>, index: number, count: number): void => {
    map.set(index, (map.get(index) ?? 0) + count);
  };
  if (layout.bounds !== undefined) {
    const bounds = layout.bounds;
    const same = customBoundsMatch(bounds, h.customValues);
    let target = 0;
    for (const { index, count } of indexedCounts(h.positiveSide())) {
      if (same) {
        put(out.positive, index, count);
        continue;
      }
      const upper = getBound(index, h.schema, h.customValues);
      while (target < bounds.length && bounds[target]! < upper) target++;
      put(out.positive, target, count);
    }
    return out;
  }
  const side = (bucketSide: BucketSide, map: Map<number, number>): void => {
    for (const { index, count } of indexedCounts(bucketSide)) {
      // A bucket is inside the zero bucket when its outer (absolute upper) bound is within the threshold.
      if (getBound(index, h.schema, []) <= layout.zeroThreshold) {
        out.zeroCount += count;
        continue;
      }
      put(map, targetIndex(index, h.schema, layout.schema), count);
    }
  };
  side(h.positiveSide(), out.positive);
  side(h.negativeSide(), out.negative);
  return out;
}
