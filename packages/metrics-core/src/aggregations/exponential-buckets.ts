/**
 * The bucket counts of one range (positive or negative) of an exponential histogram: a window of
 * consecutive bucket indexes `[start, end]` held in a circular buffer, so that a new lowest bucket costs no
 * shifting of the others.
 *
 * Counts are doubles: exact up to 2^53 measurements per bucket, with no overflow to handle on the hot path.
 * The buffer grows by powers of two up to the histogram's `maxSize` and is kept across `reset()`, so a
 * warmed-up histogram records without allocating.
 */

/** First capacity of a buffer: small enough for the many series that see a handful of distinct values. */
const INITIAL_CAPACITY = 4;

const NO_COUNTS = new Float64Array(0);

/** One range of bucket counts; see the module documentation. Not exported from the package. */
export class ExponentialBuckets {
  /**
   * The counts; bucket `i` is at slot `(i - base) mod capacity`. Slots outside `[start, end]` hold 0.
   */
  private counts: Float64Array = NO_COUNTS;
  /** The bucket index at slot 0; always within `[start, end]` when the window is not empty. */
  private base = 0;
  /** The lowest bucket index held. `start > end` means empty. */
  private start = 1;
  /** The highest bucket index held. */
  private end = 0;

  /** True when no bucket has been counted since construction or the last {@link reset}. */
  get isEmpty(): boolean {
    return this.start > this.end;
  }

  /** The lowest bucket index held (0 when empty, as in the OTel data model and sdk-metrics). */
  get offset(): number {
    return this.isEmpty ? 0 : this.start;
  }

  /** The highest bucket index held (-1 when empty). */
  get lastIndex(): number {
    return this.isEmpty ? -1 : this.end;
  }

  /**
   * Adds `count` to bucket `index`. Returns false, changing nothing, when the window would then span
   * more than `maxSize` buckets: the histogram must downscale first.
   */
  increment(index: number, count: number, maxSize: number): boolean {
    if ((index < this.start || index > this.end) && !this.extendTo(index, maxSize)) return false;
    let slot = index - this.base;
    if (slot < 0) slot += this.counts.length;
    this.counts[slot]! += count;
    return true;
  }

  /** The count of bucket `index`; 0 outside the window. */
  countAt(index: number): number {
    if (index < this.start || index > this.end) return 0;
    let slot = index - this.base;
    if (slot < 0) slot += this.counts.length;
    return this.counts[slot]!;
  }

  /**
   * How many halvings of resolution (`index >> change`) bring the window, together with `index`, within
   * `maxSize` buckets.
   */
  changeToInclude(index: number, maxSize: number): number {
    return changeToFit(Math.min(index, this.start), Math.max(index, this.end), maxSize);
  }

  /** The counts of `[offset, lastIndex]` in a new array (the data-model `bucket_counts`). */
  toArray(): number[] {
    const out: number[] = [];
    for (let index = this.start; index <= this.end; index++) out.push(this.countAt(index));
    return out;
  }

  /**
   * Merges each group of `2^change` neighbouring buckets into one: bucket `i` becomes bucket
   * `i >> change`, as when the scale drops by `change`.
   */
  downscale(change: number): void {
    if (change === 0 || this.isEmpty) return;
    this.unwrap();
    const counts = this.counts;
    const first = this.start >> change;
    const length = this.end - this.start + 1;
    // In place: a bucket's new slot is never after its old one, and slots are visited in order.
    for (let slot = 0; slot < length; slot++) {
      const target = ((this.start + slot) >> change) - first;
      if (target !== slot) {
        counts[target]! += counts[slot]!;
        counts[slot] = 0;
      }
    }
    this.start = first;
    this.end >>= change;
    this.base = first;
  }

  /** Empties the window, keeping the buffer. */
  reset(): void {
    if (this.isEmpty) return;
    this.counts.fill(0);
    this.start = 1;
    this.end = 0;
    this.base = 0;
  }

  /** Widens the window to include `index`, growing the buffer; false when that exceeds `maxSize`. */
  private extendTo(index: number, maxSize: number): boolean {
    if (this.isEmpty) {
      if (this.counts.length === 0) this.counts = new Float64Array(Math.min(INITIAL_CAPACITY, maxSize));
      this.start = index;
      this.end = index;
      this.base = index;
      return true;
    }
    const low = Math.min(index, this.start);
    const high = Math.max(index, this.end);
    if (high - low >= maxSize) return false;
    if (high - low >= this.counts.length) this.grow(high - low + 1, maxSize);
    this.start = low;
    this.end = high;
    return true;
  }

  /** Moves the counts to a buffer of at least `needed` slots (a power of two, at most `maxSize`). */
  private grow(needed: number, maxSize: number): void {
    let capacity = this.counts.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Float64Array(Math.min(capacity, maxSize));
    for (let index = this.start; index <= this.end; index++) grown[index - this.start] = this.countAt(index);
    this.counts = grown;
    this.base = this.start;
  }

  /** Rotates the buffer in place so that bucket `start` is at slot 0. */
  private unwrap(): void {
    const shift = this.start - this.base + (this.start < this.base ? this.counts.length : 0);
    if (shift !== 0) {
      const counts = this.counts;
      reverse(counts, 0, shift);
      reverse(counts, shift, counts.length);
      reverse(counts, 0, counts.length);
    }
    this.base = this.start;
  }
}

/**
 * How many halvings of resolution bring bucket indexes `low..high` within `maxSize` buckets (the
 * specification's rescale: "reduce scale until it fits").
 */
export function changeToFit(low: number, high: number, maxSize: number): number {
  let change = 0;
  while (high - low >= maxSize) {
    high >>= 1;
    low >>= 1;
    change++;
  }
  return change;
}

function reverse(counts: Float64Array, from: number, to: number): void {
  for (let i = from, j = to - 1; i < j; i++, j--) {
    const swap = counts[i]!;
    counts[i] = counts[j]!;
    counts[j] = swap;
  }
}
