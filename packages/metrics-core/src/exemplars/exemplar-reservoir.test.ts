import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { NO_SPAN } from './exemplar-filter.ts';
import {
  AlignedHistogramBucketExemplarReservoir,
  SimpleFixedSizeExemplarReservoir,
} from './exemplar-reservoir.ts';

const span = (n: number) => ({
  traceId: n.toString(16).padStart(32, '0'),
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: TraceFlags.SAMPLED,
});

describe('AlignedHistogramBucketExemplarReservoir', () => {
  it('keeps the last measurement of each bucket (upper bounds inclusive, overflow last)', () => {
    const reservoir = new AlignedHistogramBucketExemplarReservoir(Float64Array.from([1, 10]));
    reservoir.offer(0.5, span(1));
    reservoir.offer(1, span(2));
    reservoir.offer(5, span(3));
    reservoir.offer(11, span(4));
    const kept = reservoir.collect(Number.NEGATIVE_INFINITY);
    expect(kept.map((e) => [e.value, e.traceId])).toEqual([
      [1, span(2).traceId],
      [5, span(3).traceId],
      [11, span(4).traceId],
    ]);
    expect(kept.every((e) => e.spanId?.length === 16 && Object.keys(e.filteredAttributes).length === 0)).toBe(
      true,
    );
  });

  it('keeps exemplars across collections until replaced, and leaves out those older than asked', () => {
    const reservoir = new AlignedHistogramBucketExemplarReservoir(Float64Array.from([1]));
    reservoir.offer(0.5, span(1));
    expect(reservoir.collect(Number.NEGATIVE_INFINITY)).toHaveLength(1);
    expect(reservoir.collect(Number.NEGATIVE_INFINITY)).toHaveLength(1);
    expect(reservoir.collect(Date.now() + 1000)).toEqual([]);
  });
});

describe('SimpleFixedSizeExemplarReservoir', () => {
  it('fills its slots, then keeps a uniform sample of each collection cycle', () => {
    const reservoir = new SimpleFixedSizeExemplarReservoir(2);
    reservoir.offer(1, span(1));
    reservoir.offer(2, span(2));
    expect(
      reservoir
        .collect(Number.NEGATIVE_INFINITY)
        .map((e) => e.value)
        .sort(),
    ).toEqual([1, 2]);
    // A new cycle starts at collection: its first measurements take the slots again.
    reservoir.offer(3, span(3));
    reservoir.offer(4, span(4));
    expect(
      reservoir
        .collect(Number.NEGATIVE_INFINITY)
        .map((e) => e.value)
        .sort(),
    ).toEqual([3, 4]);
  });

  it('samples uniformly: each of 10 measurements is kept by a size-1 reservoir about a tenth of the time', () => {
    const hits = new Array(10).fill(0);
    for (let round = 0; round < 5000; round++) {
      const reservoir = new SimpleFixedSizeExemplarReservoir(1);
      for (let i = 0; i < 10; i++) reservoir.offer(i, span(i + 1));
      hits[reservoir.collect(Number.NEGATIVE_INFINITY)[0]!.value]++;
    }
    for (const count of hits) expect(count).toBeGreaterThan(350);
  });

  it('leaves the ids out of an exemplar recorded outside any span', () => {
    const reservoir = new SimpleFixedSizeExemplarReservoir(1);
    reservoir.offer(7, NO_SPAN);
    const [exemplar] = reservoir.collect(Number.NEGATIVE_INFINITY);
    expect(exemplar).toEqual({ value: 7, timeUnixMs: expect.any(Number), filteredAttributes: {} });
  });
});
