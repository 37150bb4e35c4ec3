import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider } from '@yardstick/metrics-core';
import { describe, expect, it } from 'vitest';
import { createCoreMetricProducer } from './core-readers.ts';

const resource = resourceFromAttributes({ 'service.name': 'checkout' });

async function ordersPlaced(producer: ReturnType<typeof createCoreMetricProducer>) {
  const { resourceMetrics, errors } = await producer.collect();
  expect(errors).toEqual([]);
  const metric = resourceMetrics.scopeMetrics[0]?.metrics.find(
    (candidate) => candidate.descriptor.name === 'orders.placed',
  ) as SumMetricData | undefined;
  return { resource: resourceMetrics.resource, metric };
}

describe('createCoreMetricProducer', () => {
  it('produces the core data, cumulative by default, with the given resource', async () => {
    const core = new CoreMeterProvider();
    const producer = createCoreMetricProducer(core, resource);
    const orders = core.getMeter('checkout').createCounter('orders.placed');
    orders.add(2, { 'payment.method': 'card' });
    expect((await ordersPlaced(producer)).resource.attributes['service.name']).toBe('checkout');
    orders.add(3, { 'payment.method': 'card' });

    const { metric } = await ordersPlaced(producer);
    expect(metric?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(metric?.dataPoints.map((point) => [point.attributes, point.value])).toEqual([
      [{ 'payment.method': 'card' }, 5],
    ]);
  });

  it('produces deltas for the kinds its selector reads as delta', async () => {
    const core = new CoreMeterProvider();
    const producer = createCoreMetricProducer(core, resource, {
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
    });
    const orders = core.getMeter('checkout').createCounter('orders.placed');
    orders.add(2);
    expect((await ordersPlaced(producer)).metric?.dataPoints[0]?.value).toBe(2);
    orders.add(3);

    const { metric } = await ordersPlaced(producer);
    expect(metric?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
    expect(metric?.dataPoints[0]?.value).toBe(3);
  });
});
