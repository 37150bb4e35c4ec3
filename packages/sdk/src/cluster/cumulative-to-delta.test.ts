import type { HrTime } from '@opentelemetry/api';
import { DataPointType, type HistogramValue, type MetricData, Temporality } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { CumulativeToDelta } from './cumulative-to-delta.ts';
import { indexMetrics } from './metric-index.ts';

function histogram(counts: number[], startTime: HrTime = [1, 0]): MetricData {
  const count = counts.reduce((a, b) => a + b, 0);
  return {
    descriptor: { name: 'latency', description: '', unit: 's', valueType: 1 },
    aggregationTemporality: Temporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes: {},
        startTime,
        endTime: [count, 0],
        value: { buckets: { boundaries: [1], counts }, count, sum: count, min: 0, max: 2 },
      },
    ],
  };
}

function convert(deltas: CumulativeToDelta, metric: MetricData) {
  const [entry] = deltas
    .convert(indexMetrics([{ scope: { name: 'app' }, metrics: [metric] }]), () => true)
    .values();
  return { temporality: entry?.metric.aggregationTemporality, points: [...(entry?.points.values() ?? [])] };
}

describe('CumulativeToDelta', () => {
  it('gives the change of each histogram bucket since the last call, without extremes, and skips no change', () => {
    const deltas = new CumulativeToDelta();
    expect(convert(deltas, histogram([1, 2])).points[0]?.value).toMatchObject({ count: 3 });
    const second = convert(deltas, histogram([2, 4]));
    expect(second.temporality).toBe(Temporality.DELTA);
    expect(second.points[0]).toMatchObject({ startTime: [3, 0], endTime: [6, 0] });
    expect(second.points[0]?.value).toEqual({
      buckets: { boundaries: [1], counts: [1, 2] },
      count: 3,
      sum: 3,
    });
    expect(convert(deltas, histogram([2, 4])).points).toEqual([]);
  });

  it('counts a series that went down as restarted: its whole total is the change', () => {
    const deltas = new CumulativeToDelta();
    convert(deltas, histogram([5, 5]));
    const restarted = convert(deltas, histogram([1, 0], [9, 0]));
    expect((restarted.points[0]?.value as HistogramValue | undefined)?.buckets.counts).toEqual([1, 0]);
  });
});
