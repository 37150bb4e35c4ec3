import { describe, expect, it } from 'vitest';
import { parseHistogramDescription } from '../histogram/histogram-description.ts';
import { HistogramMean, HistogramSum } from './histogram-accumulators.ts';

const h = (text: string) => parseHistogramDescription(text).histogram;

describe('sums and means of native histograms', () => {
  it('keeps small counts that plain addition would absorb into ±1e100 (Kahan summation per bucket)', () => {
    const sum = new HistogramSum(h('{{schema:0 count:1e100 sum:1e100 buckets:[1e100 1]}}'));
    sum.add(h('{{schema:0 count:1 sum:1 buckets:[1 1]}}'));
    sum.add(h('{{schema:0 count:-1e100 sum:-1e100 buckets:[-1e100 1]}}'));
    const result = sum.result();
    expect([result?.count, result?.sum, result?.positiveBuckets]).toEqual([1, 1, [1, 3]]);
  });

  it('adds histograms of different schemas and zero buckets in the coarser layout', () => {
    const sum = new HistogramSum(h('{{schema:1 count:4 sum:4 buckets:[1 1 1 1]}}'));
    sum.add(h('{{schema:0 count:3 sum:3 z_bucket:1 z_bucket_w:0.5 buckets:[1 1]}}'));
    const result = sum.result();
    expect(result?.schema).toBe(0);
    expect(result?.count).toBe(7);
    const buckets = result?.positiveBuckets.reduce((a, b) => a + b, 0) ?? 0;
    expect(buckets + (result?.zeroCount ?? 0)).toBe(7);
  });

  it('switches to an incremental mean where the direct sum would overflow', () => {
    const mean = new HistogramMean(h('{{schema:0 count:1e308 sum:1 buckets:[1e308]}}'));
    mean.add(h('{{schema:0 count:1e308 sum:3 buckets:[1e308]}}'));
    const result = mean.result();
    expect([result?.count, result?.sum, result?.positiveBuckets]).toEqual([1e308, 2, [1e308]]);
  });

  it('marks the result void when exponential and custom buckets meet', () => {
    const sum = new HistogramSum(h('{{schema:0 count:1 sum:1 buckets:[1]}}'));
    sum.add(h('{{schema:-53 count:1 sum:1 custom_values:[1] buckets:[1]}}'));
    expect(sum.mixedSchemas).toBe(true);
    expect(sum.result()).toBeUndefined();
  });
});
