/**
 * The cluster merge, against recording in one process: any split of a measurement stream across N workers
 * (each with its own metrics core) aggregates to the same data points as one core that recorded it all,
 * whether the workers report once at the end or as they go (partial reports through the IPC encoding).
 */
import { CoreMeterProvider, type ScopeMetrics } from '@yardstick/metrics-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { acceptReportMessage } from './accept-report.ts';
import { ClusterAggregator } from './cluster-aggregator.ts';
import type { HistogramAggregationName } from './cluster-report.ts';
import { type ClusterReporter, startClusterReporter } from './cluster-reporter.ts';
import { indexMetrics, type MetricIndex } from './metric-index.ts';

const measurement = fc.record({
  worker: fc.integer({ min: 0, max: 3 }),
  instrument: fc.constantFrom('requests', 'inflight', 'latency'),
  route: fc.constantFrom('/a', '/b', '/c'),
  // whole and half values: exact in any order of addition, and never just below a power of two
  value: fc.integer({ min: 0, max: 2_000 }).map((v) => v / 2),
});

/** A core with the three instruments; `attach` runs first (a reporter must be started before instruments). */
function core(
  histogramAggregation: HistogramAggregationName,
  attach?: (provider: CoreMeterProvider) => void,
) {
  const provider = new CoreMeterProvider({ histogramAggregation, warn: () => undefined });
  attach?.(provider);
  const reader = provider.addReader();
  const meter = provider.getMeter('app');
  const instruments = {
    requests: meter.createCounter('requests'),
    inflight: meter.createUpDownCounter('inflight'),
    latency: meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1, 10, 100, 500] } }),
  };
  const record = (name: 'requests' | 'inflight' | 'latency', value: number, route: string) => {
    if (name === 'latency') instruments.latency.record(value, { route });
    else if (name === 'inflight') instruments.inflight.add(value - 250, { route });
    else instruments.requests.add(value, { route });
  };
  return { record, collect: async (): Promise<ScopeMetrics[]> => (await reader.collect()).scopeMetrics };
}

/** Points by metric name and series, without times (the two sides read the clock at different moments). */
function comparable(index: MetricIndex): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { metric, points } of index.values()) {
    for (const [series, point] of points) out[`${metric.descriptor.name} ${series}`] = point.value;
  }
  return out;
}

describe('cluster merge', () => {
  for (const aggregation of ['explicit', 'exponential'] as const) {
    it(`gives the single-process points for any split across workers (${aggregation} histograms)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(measurement, { minLength: 1, maxLength: 200 }), async (stream) => {
          const single = core(aggregation);
          const workers = [0, 1, 2, 3].map(() => core(aggregation));
          for (const { worker, instrument, route, value } of stream) {
            single.record(instrument, value, route);
            workers[worker]!.record(instrument, value, route);
          }
          const aggregator = new ClusterAggregator({ gauges: {}, warn: () => undefined });
          for (const [i, worker] of workers.entries()) {
            const scopeMetrics = await worker.collect();
            aggregator.accept(`w${i}`, {
              collections: [{ histogramAggregation: aggregation, scopeMetrics }],
              sequence: 1,
              full: true,
            });
          }
          const merged = comparable(aggregator.aggregate(aggregation).totals);
          expect(merged).toEqual(comparable(indexMetrics(await single.collect())));
        }),
        { numRuns: 100 },
      );
    });
  }

  it('gives the single-process points when workers report as they go, partially', async () => {
    const step = fc.record({ measurement, reportAfter: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 200 }), async (stream) => {
        const single = core('explicit');
        const aggregator = new ClusterAggregator({ gauges: {}, warn: () => undefined });
        const reporters: ClusterReporter[] = [];
        const workers = [0, 1, 2, 3].map((i) =>
          core('explicit', (provider) => {
            reporters[i] = startClusterReporter({
              core: provider,
              histogramAggregations: ['explicit'],
              intervalMs: 3_600_000,
              logger: silentLogger,
              channel: {
                connected: true,
                send(message, done) {
                  // As the IPC channel delivers it: a copy.
                  acceptReportMessage(
                    aggregator,
                    `w${i}`,
                    `worker ${i}`,
                    JSON.parse(JSON.stringify(message)),
                  );
                  done(null);
                },
                onDisconnect: () => () => undefined,
              },
            });
          }),
        );
        for (const { measurement: m, reportAfter } of stream) {
          single.record(m.instrument, m.value, m.route);
          workers[m.worker]!.record(m.instrument, m.value, m.route);
          if (reportAfter) await reporters[m.worker]!.report();
        }
        await Promise.all(reporters.map((reporter) => reporter.stop()));
        const merged = comparable(aggregator.aggregate('explicit').totals);
        expect(merged).toEqual(comparable(indexMetrics(await single.collect())));
      }),
      { numRuns: 50 },
    );
  });
});
