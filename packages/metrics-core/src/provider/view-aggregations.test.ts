import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { DataPointType, type MetricData } from '../model/metric-data.ts';
import { CoreMeterProvider } from './core-meter-provider.ts';

async function collect(reader: ReturnType<CoreMeterProvider['addReader']>) {
  const { scopeMetrics } = await reader.collect();
  return scopeMetrics.flatMap((scope) => scope.metrics);
}

function pointValue(metrics: readonly MetricData[], name: string): unknown {
  const metric = metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints[0] as { attributes: Attributes; value: unknown } | undefined)?.value;
}

describe('views that change an instrument aggregation', () => {
  it('records a counter, an up-down counter and a gauge into whatever aggregation the view chose', async () => {
    const warnings: string[] = [];
    const core = new CoreMeterProvider({
      warn: (m) => warnings.push(m),
      views: [
        { instrumentName: 'bytes', aggregation: { type: 'explicitHistogram', boundaries: [10, 100] } },
        { instrumentName: 'queue', aggregation: { type: 'exponentialHistogram' } },
        { instrumentName: 'inflight', aggregation: { type: 'lastValue' } },
        { instrumentName: 'temperature', aggregation: { type: 'sum' } },
        { instrumentName: 'polled', aggregation: { type: 'explicitHistogram' } },
      ],
    });
    const reader = core.addReader();
    const meter = core.getMeter('v');
    for (const v of [5, 50, 500]) meter.createCounter('bytes').add(v);
    for (const v of [-4, 0, 8]) meter.createUpDownCounter('queue').add(v);
    for (const v of [3, -1, 7]) meter.createUpDownCounter('inflight').add(v);
    for (const v of [20, 21]) meter.createGauge('temperature').record(v);
    meter.createObservableGauge('polled').addCallback((r) => r.observe(9));
    const metrics = await collect(reader);
    expect(pointValue(metrics, 'bytes')).toMatchObject({
      buckets: { boundaries: [10, 100], counts: [1, 1, 1] },
      count: 3,
      sum: 555,
    });
    const queue = metrics.find((m) => m.descriptor.name === 'queue')!;
    expect(queue.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    // an up-down counter may go negative: its histogram carries no sum, as in the OTel SDK
    expect(pointValue(metrics, 'queue')).toMatchObject({ count: 3, zeroCount: 1, min: -4, max: 8 });
    expect(pointValue(metrics, 'queue')).not.toHaveProperty('sum');
    expect(pointValue(metrics, 'inflight')).toBe(7);
    expect(pointValue(metrics, 'temperature')).toBe(41);
    expect(pointValue(metrics, 'polled')).toBe(9);
    expect(warnings).toEqual([expect.stringContaining('not supported for observable instruments')]);
  });
});

describe('attribute sets in any key order', () => {
  it('records the same set listed in different orders into one series, and keeps a __proto__ key', async () => {
    const core = new CoreMeterProvider({ warn: () => undefined });
    const reader = core.addReader();
    const counter = core.getMeter('o').createCounter('hits');
    counter.add(1, { b: '2', a: '1' });
    counter.add(1, { a: '1', b: '2' });
    counter.add(1, { b: '2', a: '1' });
    const tricky = JSON.parse('{"__proto__":"x","a":"1"}');
    counter.add(5, tricky);
    const { scopeMetrics } = await reader.collect();
    const points = scopeMetrics[0]!.metrics[0]!.dataPoints as Array<{
      attributes: Attributes;
      value: number;
    }>;
    expect(points.map((p) => [JSON.stringify(Object.entries(p.attributes)), p.value])).toEqual([
      ['[["a","1"],["b","2"]]', 3],
      ['[["__proto__","x"],["a","1"]]', 5],
    ]);
  });
});
