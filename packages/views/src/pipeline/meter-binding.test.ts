import type { BatchObservableResult, ObservableResult } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createYardstickViews } from '../views/create-yardstick-views.ts';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collect(reader: TestReader): Promise<MetricData[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
}

function setup(limit: number) {
  const yardstick = createYardstickViews({ defaultLimit: 100, limits: { 'm.*': limit } });
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
  return { yardstick, reader, provider, bound: yardstick.bindMeterProvider(provider) };
}

describe('bindMeterProvider', () => {
  it('shares one limiter between instruments of the same meter and name, as the SDK shares the stream', async () => {
    const { bound, reader } = setup(2);
    const first = bound.getMeter('a').createCounter('m.count');
    const second = bound.getMeter('a').createCounter('m.count');
    first.add(1, { k: 1 });
    second.add(1, { k: 2 });
    first.add(1, { k: 3 });
    const [metric] = await collect(reader);
    expect(metric!.dataPoints.map((p) => p.attributes)).toEqual([
      { k: 1 },
      { k: 2 },
      { 'otel.metric.overflow': true },
    ]);
  });

  it('keeps separate limits per instrument and per meter behind one wildcard view', async () => {
    const { bound, reader, yardstick } = setup(1);
    bound.getMeter('a').createCounter('m.x').add(1, { k: 1 });
    bound.getMeter('b').createCounter('m.x').add(1, { k: 2 });
    bound.getMeter('a').createHistogram('m.y').record(1, { k: 3 });
    bound.getMeter('a').createUpDownCounter('m.z').add(-1, { k: 4 });
    bound.getMeter('a').createGauge('m.g').record(5, { k: 5 });
    const points = (await collect(reader)).flatMap((m) => m.dataPoints.map((p) => p.attributes));
    expect(points.some((attributes) => attributes['otel.metric.overflow'] === true)).toBe(false);
    expect(yardstick.stats().map((s) => s.series)).toEqual([1, 1, 1, 1, 1]);
  });

  it('limits observable instruments per instrument too, summing counters and keeping the last gauge value', async () => {
    const { bound, reader } = setup(1);
    const meter = bound.getMeter('a');
    const gauge = meter.createObservableGauge('m.queue');
    gauge.addCallback((result) => {
      for (let i = 0; i < 150; i++) result.observe(i, { queue: `q${i}` });
    });
    const counter = meter.createObservableCounter('m.bytes');
    let total = 0;
    meter.addBatchObservableCallback(
      async (result) => {
        total += 1;
        result.observe(counter, 5 * total, { peer: 'db 10.0.0.1' });
        result.observe(counter, 7 * total, { peer: 'cache' });
        result.observe(counter, 11 * total, { peer: 'queue' });
      },
      [counter],
    );
    for (const round of [1, 2]) {
      const metrics = await collect(reader);
      const queue = metrics.find((m) => m.descriptor.name === 'm.queue')!;
      expect((queue.dataPoints as DataPoint<number>[]).map((p) => [p.attributes, p.value])).toEqual([
        [{ queue: 'q0' }, 0],
        [{ 'otel.metric.overflow': true }, 149],
      ]);
      const bytes = metrics.find((m) => m.descriptor.name === 'm.bytes')!;
      expect((bytes.dataPoints as DataPoint<number>[]).map((p) => [p.attributes, p.value])).toEqual([
        [{ peer: 'db [REDACTED]' }, 5 * round],
        [{ 'otel.metric.overflow': true }, 18 * round],
      ]);
    }
  });

  it('applies the allow list of the most fitting pattern to observables, not only the one of *', async () => {
    const yardstick = createYardstickViews({ allow: { '*': ['route'], 'pool.*': ['route', 'pool'] } });
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
    const gauge = yardstick.bindMeterProvider(provider).getMeter('a').createObservableGauge('pool.size');
    gauge.addCallback((result) => result.observe(3, { route: '/a', pool: 'db', host: 'x' }));
    const [metric] = await collect(reader);
    expect(metric!.dataPoints.map((p) => p.attributes)).toEqual([{ route: '/a', pool: 'db' }]);
  });

  it('calls a callback once however often it is added, and no more once removed', async () => {
    const { bound, reader } = setup(5);
    const meter = bound.getMeter('a');
    const calls = { single: 0, batch: 0 };
    const gauge = meter.createObservableGauge('m.temp');
    const callback = (result: ObservableResult) => {
      calls.single++;
      result.observe(20, { room: 'a' });
    };
    gauge.addCallback(callback);
    gauge.addCallback(callback);
    const counter = meter.createObservableCounter('m.ticks');
    const batch = (result: BatchObservableResult) => {
      calls.batch++;
      result.observe(counter, 1);
    };
    meter.addBatchObservableCallback(batch, [counter]);
    await collect(reader);
    expect(calls).toEqual({ single: 1, batch: 1 });
    gauge.removeCallback(callback);
    meter.removeBatchObservableCallback(batch, [counter]);
    await collect(reader);
    expect(calls).toEqual({ single: 1, batch: 1 });
  });

  it('returns the same meter for the same scope', () => {
    const { bound } = setup(1);
    expect(bound.getMeter('a', '1')).toBe(bound.getMeter('a', '1'));
    expect(bound.getMeter('a', '1')).not.toBe(bound.getMeter('a', '2'));
  });
});

describe('bound instruments and reused attribute objects', () => {
  it('record each measurement under the values the object held at the time of the call', async () => {
    const { bound, reader } = setup(10);
    const counter = bound.getMeter('a').createCounter('m.reuse');
    const attributes: Record<string, string> = { route: '/a' };
    counter.add(1, attributes);
    attributes.route = '/b';
    counter.add(2, attributes);
    counter.add(4, { route: '/a' });
    const [metric] = await collect(reader);
    expect((metric!.dataPoints as DataPoint<number>[]).map((p) => [p.attributes, p.value])).toEqual([
      [{ route: '/a' }, 5],
      [{ route: '/b' }, 2],
    ]);
  });
});
