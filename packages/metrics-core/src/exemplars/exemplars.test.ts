import { type Context, context, ROOT_CONTEXT, TraceFlags, trace, ValueType } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { type Exemplar, type MetricData, Temporality } from '../model/metric-data.ts';
import { CoreMeterProvider } from '../provider/core-meter-provider.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function inSpan(traceFlags: number, traceId = TRACE, spanId = SPAN): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags });
}

async function pointsOf(reader: { collect(): Promise<{ scopeMetrics: Array<{ metrics: MetricData[] }> }> }) {
  const { scopeMetrics } = await reader.collect();
  const byName = new Map<string, Array<{ value: unknown; exemplars?: Exemplar[] }>>();
  for (const { metrics } of scopeMetrics)
    for (const metric of metrics) byName.set(metric.descriptor.name, metric.dataPoints as never);
  return byName;
}

describe('exemplars', () => {
  it('trace_based (the default) keeps measurements made in a sampled span, from the context given to record', async () => {
    const core = new CoreMeterProvider();
    const reader = core.addReader();
    const meter = core.getMeter('shop');
    const latency = meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [0.1, 1] } });
    const orders = meter.createCounter('orders');
    latency.record(0.05, { route: '/a' }, inSpan(TraceFlags.SAMPLED));
    latency.record(0.5, { route: '/a' }, inSpan(TraceFlags.NONE, 'a'.repeat(32), 'b'.repeat(16)));
    latency.record(0.7, { route: '/a' });
    orders.add(2, { route: '/a' }, inSpan(TraceFlags.SAMPLED));
    orders.add(1, { route: '/b' });

    const points = await pointsOf(reader);
    const [histogram] = points.get('latency')!;
    expect(histogram!.exemplars).toEqual([
      { value: 0.05, timeUnixMs: expect.any(Number), traceId: TRACE, spanId: SPAN, filteredAttributes: {} },
    ]);
    const [a, b] = points.get('orders')!;
    expect(a!.exemplars?.map((e) => [e.value, e.traceId, e.spanId])).toEqual([[2, TRACE, SPAN]]);
    // A series that never saw a sampled span carries no exemplars field at all.
    expect(b).not.toHaveProperty('exemplars');
  });

  it('trace_based reads the active context when record is given none', async () => {
    const core = new CoreMeterProvider();
    const reader = core.addReader();
    const gauge = core.getMeter('m').createGauge('temperature');
    // Without a context manager the active context is the root one: no span, no exemplar.
    context.with(inSpan(TraceFlags.SAMPLED), () => gauge.record(21));
    const active = trace.getSpanContext(context.active());
    const [point] = (await pointsOf(reader)).get('temperature')!;
    if (active === undefined) expect(point).not.toHaveProperty('exemplars');
    else expect(point!.exemplars?.[0]?.traceId).toBe(TRACE);
  });

  it('always_on keeps measurements outside spans too, without ids; always_off keeps none', async () => {
    const on = new CoreMeterProvider({ exemplarFilter: 'always_on' });
    const onReader = on.addReader();
    on.getMeter('m').createUpDownCounter('queue').add(-3, { q: '1' });
    const [point] = (await pointsOf(onReader)).get('queue')!;
    expect(point!.exemplars).toEqual([{ value: -3, timeUnixMs: expect.any(Number), filteredAttributes: {} }]);

    const off = new CoreMeterProvider({ exemplarFilter: 'always_off' });
    const offReader = off.addReader();
    off.getMeter('m').createCounter('orders').add(1, {}, inSpan(TraceFlags.SAMPLED));
    const [offPoint] = (await pointsOf(offReader)).get('orders')!;
    expect(offPoint).not.toHaveProperty('exemplars');
  });

  it('keeps one exemplar per explicit bucket, the last measurement of each', async () => {
    const core = new CoreMeterProvider({ exemplarFilter: 'always_on' });
    const reader = core.addReader();
    const h = core.getMeter('m').createHistogram('size', { advice: { explicitBucketBoundaries: [10, 100] } });
    for (const [value, n] of [
      [5, 1],
      [7, 2],
      [50, 3],
      [500, 4],
      [900, 5],
    ] as const) {
      h.record(value, {}, inSpan(TraceFlags.SAMPLED, n.toString(16).padStart(32, '0')));
    }
    const [point] = (await pointsOf(reader)).get('size')!;
    expect(point!.exemplars?.map((e) => e.value).sort((x, y) => x - y)).toEqual([7, 50, 900]);
  });

  it('keeps up to twenty exemplars for an exponential histogram, and integer instruments keep the truncated value', async () => {
    const core = new CoreMeterProvider({ exemplarFilter: 'always_on', histogramAggregation: 'exponential' });
    const reader = core.addReader();
    const meter = core.getMeter('m');
    const h = meter.createHistogram('size');
    for (let i = 1; i <= 100; i++) h.record(i);
    meter.createCounter('bytes', { valueType: ValueType.INT }).add(2.7);
    const points = await pointsOf(reader);
    expect(points.get('size')![0]!.exemplars).toHaveLength(20);
    expect(points.get('bytes')![0]!.exemplars?.[0]?.value).toBe(2);
  });

  it('gives a delta reader only the exemplars recorded since its last collection; cumulative readers keep them', async () => {
    const core = new CoreMeterProvider({ exemplarFilter: 'always_on' });
    const cumulative = core.addReader();
    const delta = core.addReader(() => Temporality.DELTA);
    const counter = core.getMeter('m').createCounter('hits');
    counter.add(1);
    expect((await pointsOf(delta)).get('hits')![0]!.exemplars).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // A new cycle: the next measurement takes the slot, and falls inside the delta reader's interval.
    counter.add(1);
    const again = (await pointsOf(delta)).get('hits')![0]!.exemplars;
    expect(again).toHaveLength(1);
    expect((await pointsOf(cumulative)).get('hits')![0]!.exemplars).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Nothing new: the delta reader has no point, the cumulative one still shows the last exemplar.
    expect((await pointsOf(delta)).get('hits')).toBeUndefined();
    expect((await pointsOf(cumulative)).get('hits')![0]!.exemplars).toHaveLength(1);
  });

  it('offers the measurement to every stream of an instrument with several views', async () => {
    const core = new CoreMeterProvider({
      exemplarFilter: 'always_on',
      views: [
        { instrumentName: 'req', name: 'req.by_route', attributeKeys: ['route'] },
        { instrumentName: 'req', name: 'req.all', attributeKeys: [] },
      ],
    });
    const reader = core.addReader();
    core.getMeter('m').createCounter('req').add(3, { route: '/x', user: 'u1' }, inSpan(TraceFlags.SAMPLED));
    const points = await pointsOf(reader);
    expect(points.get('req.by_route')![0]!.exemplars?.[0]?.traceId).toBe(TRACE);
    expect(points.get('req.all')![0]!.exemplars?.[0]?.traceId).toBe(TRACE);
    // The dropped attribute is not carried (see Exemplar.filteredAttributes).
    expect(points.get('req.all')![0]!.exemplars?.[0]?.filteredAttributes).toEqual({});
  });

  it('never throws while offering, whatever the context holds', () => {
    const core = new CoreMeterProvider();
    const counter = core.getMeter('m').createCounter('c');
    const odd = ROOT_CONTEXT.setValue(Symbol.for('OpenTelemetry Context Key SPAN'), { nope: true });
    expect(() => counter.add(1, {}, odd)).not.toThrow();
    expect(() => counter.add(1, {}, inSpan(TraceFlags.SAMPLED, 'zz', 'yy'))).not.toThrow();
  });
});
