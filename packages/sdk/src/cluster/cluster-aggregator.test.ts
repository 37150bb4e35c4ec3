import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ScopeMetrics, Temporality } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { ClusterAggregator } from './cluster-aggregator.ts';
import { type ClusterReport, decodeClusterReport, encodeClusterReport } from './cluster-report.ts';

const START: HrTime = [100, 0];

function sum(name: string, points: [Attributes, number][], monotonic = true, startTime = START): MetricData {
  return {
    descriptor: { name, description: '', unit: '', valueType: 1 },
    aggregationTemporality: Temporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: points.map(([attributes, value]) => ({ attributes, startTime, endTime: [200, 0], value })),
  };
}

function histogram(name: string, counts: number[], boundaries = [1, 10]): MetricData {
  const count = counts.reduce((a, b) => a + b, 0);
  return {
    descriptor: { name, description: '', unit: '', valueType: 1 },
    aggregationTemporality: Temporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes: {},
        startTime: START,
        endTime: [200, 0],
        value: { buckets: { boundaries, counts }, count, sum: count },
      },
    ],
  };
}

function gauge(name: string, value: number): MetricData {
  return {
    descriptor: { name, description: '', unit: '', valueType: 1 },
    aggregationTemporality: Temporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [{ attributes: {}, startTime: START, endTime: [200, 0], value }],
  };
}

function report(...metrics: MetricData[]): ClusterReport {
  const scopeMetrics: ScopeMetrics[] = [{ scope: { name: 'app' }, metrics }];
  return { collections: [{ histogramAggregation: 'explicit', scopeMetrics }], sequence: 1, full: true };
}

/** A partial report numbered `sequence`: only the series in `metrics` changed. */
function partial(sequence: number, ...metrics: MetricData[]): ClusterReport {
  return { ...report(...metrics), sequence, full: false };
}

/** Every point of the workers' totals as `name{attributes}` -> value (histograms: their count). */
function totals(aggregator: ClusterAggregator): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { metric, points } of aggregator.aggregate('explicit').totals.values()) {
    for (const point of points.values()) {
      const value = point.value;
      out[`${metric.descriptor.name}${JSON.stringify(point.attributes)}`] =
        typeof value === 'number'
          ? value
          : { count: value.count, ...('buckets' in value ? { counts: value.buckets.counts } : {}) };
    }
  }
  return out;
}

function createAggregator(warnings: string[] = []) {
  return new ClusterAggregator({ gauges: {}, warn: (message) => warnings.push(message) });
}

describe('ClusterAggregator', () => {
  it('is inactive until a worker reports, then sums the latest report of each worker', () => {
    const aggregator = createAggregator();
    expect(aggregator.active).toBe(false);
    aggregator.accept('1', report(sum('requests', [[{ route: '/a' }, 3]]), histogram('latency', [1, 2, 0])));
    aggregator.accept(
      '2',
      report(
        sum('requests', [
          [{ route: '/a' }, 4],
          [{ route: '/b' }, 1],
        ]),
      ),
    );
    aggregator.accept('1', report(sum('requests', [[{ route: '/a' }, 5]]), histogram('latency', [1, 2, 1])));
    expect(aggregator.active).toBe(true);
    expect(totals(aggregator)).toEqual({
      'requests{"route":"/a"}': 9,
      'requests{"route":"/b"}': 1,
      'latency{}': { count: 4, counts: [1, 2, 1] },
    });
  });

  it("keeps a retired worker's counters and histograms, drops its gauges and up-down sums, ignores it afterwards", () => {
    const aggregator = createAggregator();
    const metrics = [
      sum('requests', [[{}, 5]]),
      sum('queue', [[{}, 7]], false),
      histogram('latency', [1, 1, 1]),
    ];
    aggregator.accept('1', report(...metrics, gauge('inflight', 2)));
    aggregator.accept('2', report(...metrics, gauge('inflight', 3)));
    aggregator.retire('1');
    aggregator.accept('1', report(sum('requests', [[{}, 100]])));
    expect(totals(aggregator)).toEqual({
      'requests{}': 10,
      'queue{}': 7,
      'latency{}': { count: 6, counts: [2, 2, 2] },
    });
    expect(aggregator.aggregate('explicit').gauges.map(({ process }) => process)).toEqual(['2']);
    aggregator.accept('3', report(sum('requests', [[{}, 1]])));
    expect(totals(aggregator)['requests{}']).toBe(11);
  });

  it('never lowers a counter when a worker forgets a series or restarts it', () => {
    const aggregator = createAggregator();
    aggregator.accept(
      '1',
      report(
        sum('requests', [
          [{ id: 'a' }, 5],
          [{ id: 'b' }, 2],
        ]),
      ),
    );
    // `b` forgotten (idle eviction); `a` recreated since (a later start, counting from zero).
    aggregator.accept('1', report(sum('requests', [[{ id: 'a' }, 1]], true, [150, 0])));
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 6, 'requests{"id":"b"}': 2 });
    aggregator.accept(
      '1',
      report(
        sum(
          'requests',
          [
            [{ id: 'a' }, 4],
            [{ id: 'b' }, 1],
          ],
          true,
          [150, 0],
        ),
      ),
    );
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 9, 'requests{"id":"b"}': 3 });
  });

  it('warns once and keeps one side when two processes disagree on bucket boundaries or type', () => {
    const warnings: string[] = [];
    const aggregator = createAggregator(warnings);
    aggregator.accept('1', report(histogram('latency', [1, 1, 1]), sum('requests', [[{}, 1]])));
    aggregator.accept('2', report(histogram('latency', [1, 1], [5]), sum('requests', [[{}, 1]], false)));
    aggregator.aggregate('explicit');
    aggregator.accept('3', report(histogram('latency', [1, 1], [5])));
    aggregator.aggregate('explicit');
    expect(totals(aggregator)['latency{}']).toEqual({ count: 3, counts: [1, 1, 1] });
    expect(warnings).toEqual([
      'cluster: histogram latency has different bucket boundaries in two processes; only one is kept',
      'cluster: metric requests has a different type in two processes; only one is kept',
    ]);
  });

  it('gives readers of another histogram aggregation the sums of a worker that reports none, and says so', () => {
    const warnings: string[] = [];
    const aggregator = createAggregator(warnings);
    aggregator.accept('1', report(sum('requests', [[{}, 4]]), histogram('latency', [1, 0, 0])));
    const exponential = aggregator.aggregate('exponential');
    expect([...exponential.totals.values()].map(({ metric }) => metric.descriptor.name)).toEqual([
      'requests',
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/reports no exponential histograms/);
  });

  it('applies a partial report series by series over the previous one, and retires a series it restarts', () => {
    const aggregator = createAggregator();
    aggregator.accept(
      '1',
      report(
        sum('requests', [
          [{ id: 'a' }, 5],
          [{ id: 'b' }, 2],
        ]),
        gauge('inflight', 4),
      ),
    );
    aggregator.accept('2', report(sum('requests', [[{ id: 'a' }, 1]])));
    aggregator.accept('1', partial(2, sum('requests', [[{ id: 'b' }, 3]])));
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 6, 'requests{"id":"b"}': 3 });
    expect(aggregator.aggregate('explicit').gauges.find((g) => g.process === '1')?.metrics.size).toBe(1);
    // `a` restarted in worker 1 (a later start): its 5 stay, retired, under the new count.
    aggregator.accept('1', partial(3, sum('requests', [[{ id: 'a' }, 2]], true, [150, 0])));
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 8, 'requests{"id":"b"}': 3 });
  });

  it('skips a partial report that does not follow the last one taken, until the next full report', () => {
    const warnings: string[] = [];
    const aggregator = createAggregator(warnings);
    aggregator.accept('1', { ...report(sum('requests', [[{ id: 'a' }, 5]])), sequence: 4 });
    // Report 5 never arrived: 6 would be applied over a stale 4.
    aggregator.accept('1', partial(6, sum('requests', [[{ id: 'b' }, 1]])));
    aggregator.accept('1', partial(7, sum('requests', [[{ id: 'b' }, 2]])));
    // A partial report before any full one has nothing to go over.
    aggregator.accept('2', partial(1, sum('requests', [[{ id: 'b' }, 9]])));
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 5 });
    expect(warnings).toEqual([
      'cluster: a partial report of worker 1 does not follow the last one taken; its totals wait for its next full report',
      'cluster: a partial report of worker 2 does not follow the last one taken; its totals wait for its next full report',
    ]);
    aggregator.accept('1', {
      ...report(
        sum('requests', [
          [{ id: 'a' }, 6],
          [{ id: 'b' }, 3],
        ]),
      ),
      sequence: 8,
    });
    aggregator.accept('1', partial(9, sum('requests', [[{ id: 'b' }, 4]])));
    expect(totals(aggregator)).toEqual({ 'requests{"id":"a"}': 6, 'requests{"id":"b"}': 4 });
  });

  it('gives a series the same frozen attributes object report after report, as the core does between collections', () => {
    const aggregator = createAggregator();
    // Through the IPC encoding: every decoded report holds new attribute objects.
    const overIpc = (sent: ClusterReport): ClusterReport => {
      const decoded = decodeClusterReport(encodeClusterReport(sent));
      if (!decoded.ok) throw new Error(decoded.problem);
      return decoded.report;
    };
    const attributesOf = () => {
      const points = aggregator.aggregate('explicit').totals.values().next().value?.points;
      return [...(points?.values() ?? [])].map((point) => point.attributes);
    };
    aggregator.accept(
      '1',
      overIpc(
        report(
          sum('requests', [
            [{ id: 'a' }, 1],
            [{ id: 'b' }, 1],
          ]),
        ),
      ),
    );
    const [a, b] = attributesOf();
    expect(Object.isFrozen(a)).toBe(true);
    aggregator.accept('1', overIpc(partial(2, sum('requests', [[{ id: 'b' }, 2]]))));
    expect(attributesOf()).toEqual([a, b]);
    expect(attributesOf()[1]).toBe(b);
    aggregator.accept(
      '1',
      overIpc({
        ...report(
          sum('requests', [
            [{ id: 'a' }, 3],
            [{ id: 'b' }, 3],
            [{ id: 'c' }, 1],
          ]),
        ),
        sequence: 3,
      }),
    );
    const [a3, b3, c3] = attributesOf();
    expect([a3 === a, b3 === b, c3]).toEqual([true, true, { id: 'c' }]);
  });
});
