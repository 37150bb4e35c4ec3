/**
 * Running sums and means of native histograms, shared by the `sum` and `avg` aggregations and by
 * `sum_over_time` and `avg_over_time`, with Prometheus's arithmetic: Kahan-compensated sums, and a mean
 * computed directly from the sum until the sum would overflow, incrementally from then on.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { kahanAdd, kahanAddInPlace } from '../histogram/kahan-add.ts';

/** What an accumulation saw, for its annotations. */
export interface HistogramAccumulation {
  /** An input with exponential buckets met one with custom buckets; the result is void. */
  mixedSchemas: boolean;
  /** Custom bounds had to be reconciled. */
  nhcbBoundsReconciled: boolean;
  /** Inputs said both `counter-reset` and `not-counter-reset`. */
  counterResetSeen: boolean;
  notCounterResetSeen: boolean;
}

function track(state: HistogramAccumulation, h: FloatHistogram): void {
  if (h.counterResetHint === 'counter-reset') state.counterResetSeen = true;
  else if (h.counterResetHint === 'not-counter-reset') state.notCounterResetSeen = true;
}

function hasOverflow(h: FloatHistogram): boolean {
  const inf = (v: number) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY;
  return (
    inf(h.zeroCount) ||
    inf(h.count) ||
    inf(h.sum) ||
    h.positiveBuckets.some(inf) ||
    h.negativeBuckets.some(inf) ||
    h.customValues.some(inf)
  );
}

/** A Kahan-compensated sum of histograms. */
export class HistogramSum implements HistogramAccumulation {
  mixedSchemas = false;
  nhcbBoundsReconciled = false;
  counterResetSeen = false;
  notCounterResetSeen = false;
  private sum: FloatHistogram;
  private compensation: FloatHistogram | undefined;

  constructor(first: FloatHistogram) {
    this.sum = first.copy();
    track(this, first);
  }

  add(h: FloatHistogram): void {
    if (this.mixedSchemas) return;
    track(this, h);
    // The sum and its compensation are this accumulator's own, so they may be added into.
    const compensation = kahanAddInPlace(this.sum, this.compensation, h);
    if (compensation !== undefined) {
      this.compensation = compensation;
      return;
    }
    const r = kahanAdd(this.sum, this.compensation, h);
    if (!r.ok) {
      this.mixedSchemas = true;
      return;
    }
    if (r.nhcbBoundsReconciled) this.nhcbBoundsReconciled = true;
    this.sum = r.sum;
    this.compensation = r.compensation;
  }

  /** The sum, compacted; `undefined` after mixed schemas. */
  result(): FloatHistogram | undefined {
    if (this.mixedSchemas) return undefined;
    const out = this.sum.copy();
    if (this.compensation !== undefined) out.add(this.compensation);
    return out.compact(0);
  }
}

/** The mean of histograms: a direct Kahan sum divided at the end, or an incremental mean after overflow. */
export class HistogramMean implements HistogramAccumulation {
  mixedSchemas = false;
  nhcbBoundsReconciled = false;
  counterResetSeen = false;
  notCounterResetSeen = false;
  private value: FloatHistogram;
  private compensation: FloatHistogram | undefined;
  private mean: FloatHistogram | undefined;
  private count = 1;

  constructor(first: FloatHistogram) {
    this.value = first.copy();
    track(this, first);
  }

  add(h: FloatHistogram): void {
    if (this.mixedSchemas) return;
    track(this, h);
    this.count++;
    const n = this.count;
    if (this.mean === undefined) {
      const r = kahanAdd(this.value, this.compensation, h);
      if (!r.ok) {
        this.mixedSchemas = true;
        return;
      }
      if (r.nhcbBoundsReconciled) this.nhcbBoundsReconciled = true;
      if (!hasOverflow(r.sum)) {
        this.value = r.sum;
        this.compensation = r.compensation;
        return;
      }
      // The direct sum would overflow: continue with an incremental mean from here on.
      this.mean = this.value.copy().div(n - 1);
      this.compensation?.div(n - 1);
    }
    const q = (n - 1) / n;
    this.compensation?.mul(q);
    const r = kahanAdd(this.mean.mul(q), this.compensation, h.copy().div(n));
    if (!r.ok) {
      this.mixedSchemas = true;
      return;
    }
    if (r.nhcbBoundsReconciled) this.nhcbBoundsReconciled = true;
    this.mean = r.sum;
    this.compensation = r.compensation;
  }

  /** The mean, compacted; `undefined` after mixed schemas. */
  result(): FloatHistogram | undefined {
    if (this.mixedSchemas) return undefined;
    let out: FloatHistogram;
    if (this.mean !== undefined) {
      out = this.mean.copy();
      if (this.compensation !== undefined) out.add(this.compensation);
    } else {
      out = this.value.copy().div(this.count);
      if (this.compensation !== undefined) out.add(this.compensation.copy().div(this.count));
    }
    return out.compact(0);
  }
}
