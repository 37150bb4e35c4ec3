/**
 * `load_with_nhcb`: the classic histograms of a load (`x_bucket{le=...}`, `x_count`, `x_sum`) also become
 * native histograms with custom buckets named `x`, as promqltest's `appendCustomHistogram` builds them with
 * `convertnhcb.TempHistogram`: one histogram per base label set and timestamp, bucket counts de-cumulated,
 * the count taken from `_count` or else the highest bucket, a `+Inf` bucket added when missing.
 */
import { parseGoFloat } from '../engine/histogram-functions.ts';
import { PromqlError } from '../errors.ts';
import { FloatHistogram } from '../histogram/float-histogram.ts';
import { CUSTOM_BUCKETS_SCHEMA } from '../histogram/schema.ts';
import type { Labels } from '../storage/queryable.ts';
import type { SeriesDescription } from './series-description.ts';
import { labelsKey } from './test-file.ts';

/** The classic samples of one base label set at one timestamp (`TempHistogram`). */
interface Collected {
  /** Bucket upper bounds and cumulative counts, sorted by bound; a repeated bound keeps the first count. */
  readonly buckets: { le: number; count: number }[];
  count: number | undefined;
  sum: number;
}

function fail(message: string): PromqlError {
  return new PromqlError('PROMQL_TEST_FILE', `load_with_nhcb: ${message}`);
}

function setBucketCount(h: Collected, le: number, count: number): void {
  if (count < 0) throw fail(`bucket count must be non-negative: le=${le}, count=${count}`);
  let i = 0;
  while (i < h.buckets.length && h.buckets[i]!.le < le) i++;
  if (i < h.buckets.length && h.buckets[i]!.le === le) return;
  if ((i > 0 && count < h.buckets[i - 1]!.count) || (i < h.buckets.length && count > h.buckets[i]!.count)) {
    throw fail(`count is not cumulative at le=${le}`);
  }
  h.buckets.splice(i, 0, { le, count });
}

function convert(h: Collected): FloatHistogram {
  const buckets = [...h.buckets];
  if (h.count === undefined && buckets.length === 0)
    throw fail('count must be provided when no buckets are present');
  const count = h.count ?? buckets[buckets.length - 1]!.count;
  if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Number.POSITIVE_INFINITY) {
    buckets.push({ le: Number.POSITIVE_INFINITY, count });
  }
  if (count !== buckets[buckets.length - 1]!.count) throw fail(`count mismatch: count=${count}`);
  const integral = Number.isInteger(count) && buckets.every((b) => Number.isInteger(b.count));
  let previous = 0;
  const histogram = new FloatHistogram({
    schema: CUSTOM_BUCKETS_SCHEMA,
    count,
    sum: h.sum,
    positiveSpans: [{ offset: 0, length: buckets.length }],
    positiveBuckets: buckets.map((b) => {
      const delta = b.count - previous;
      previous = b.count;
      return delta;
    }),
    customValues: buckets.slice(0, -1).map((b) => b.le),
  });
  // Integer histograms are compacted keeping up to two empty buckets inside a span, float ones none.
  return histogram.compact(integral ? 2 : 0);
}

/** The native histograms with custom buckets that the classic histograms among `series` make, by series. */
export function classicToNhcb(
  series: readonly SeriesDescription[],
  intervalMs: number,
): { labels: Labels; samples: { t: number; histogram: FloatHistogram }[] }[] {
  const byBase = new Map<string, { labels: Labels; byTime: Map<number, Collected> }>();
  for (const s of series) {
    const match = /^(.*)_(bucket|count|sum)$/.exec(s.labels.__name__ ?? '');
    if (match === null) continue;
    const suffix = match[2]!;
    let le = 0;
    if (suffix === 'bucket') {
      const parsed = parseGoFloat(s.labels.le ?? '');
      if (s.labels.le === undefined) throw fail(`expected bucket label in metric ${labelsKey(s.labels)}`);
      if (parsed === undefined || Number.isNaN(parsed)) continue;
      le = parsed;
    }
    const { le: _le, ...rest } = s.labels;
    const base = { ...rest, __name__: match[1]! };
    const key = labelsKey(base);
    let entry = byBase.get(key);
    if (entry === undefined) {
      entry = { labels: base, byTime: new Map() };
      byBase.set(key, entry);
    }
    s.values.forEach((v, i) => {
      if (v.kind !== 'float') return;
      const t = i * intervalMs;
      let h = entry.byTime.get(t);
      if (h === undefined) {
        h = { buckets: [], count: undefined, sum: 0 };
        entry.byTime.set(t, h);
      }
      if (suffix === 'bucket') setBucketCount(h, le, v.value);
      else if (suffix === 'count') {
        if (v.value < 0) throw fail(`count must be non-negative: count=${v.value}`);
        h.count = v.value;
      } else h.sum = v.value;
    });
  }
  return [...byBase.values()].map(({ labels, byTime }) => ({
    labels,
    samples: [...byTime]
      .sort(([a], [b]) => a - b)
      .map(([t, collected]) => ({ t, histogram: convert(collected) })),
  }));
}
