import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { renderExposition } from './exposition-serializer.ts';
import { PrometheusReader } from './prometheus-reader.ts';

describe('PrometheusReader', () => {
  it('streams a large exposition in chunks of about 64 KiB that add up to the full text', async () => {
    const reader = new PrometheusReader({ cardinalitySelector: () => 10_000 });
    const meter = new MeterProvider({ readers: [reader] }).getMeter('bulk');
    const counter = meter.createCounter('requests');
    for (let i = 0; i < 5_000; i++) counter.add(i, { route: `/route/${i}`, method: 'GET' });
    const chunks: string[] = [];
    for await (const chunk of await reader.render('text')) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(65_536);
      expect(chunk.length).toBeLessThan(65_536 + 1_024);
      expect(chunk.endsWith('\n')).toBe(true);
    }
    const { resourceMetrics } = await reader.collect();
    expect(chunks.join('')).toBe(renderExposition(resourceMetrics, 'text'));
  });

  it('gives the event loop a turn after every chunk with maxSliceMs 0', async () => {
    const reader = new PrometheusReader({ chunkSize: 1_024, maxSliceMs: 0 });
    const meter = new MeterProvider({ readers: [reader] }).getMeter('bulk');
    const counter = meter.createCounter('requests');
    for (let i = 0; i < 500; i++) counter.add(1, { route: `/route/${i}` });
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    const iterable = await reader.render('text');
    setImmediate(tick);
    let chunks = 0;
    for await (const _ of iterable) chunks++;
    running = false;
    expect(chunks).toBeGreaterThan(10);
    expect(ticks).toBeGreaterThanOrEqual(chunks - 1);
  });

  it('gives the event loop turns during a large rendering with the default slice', async () => {
    const reader = new PrometheusReader({ cardinalitySelector: () => 50_000 });
    const meter = new MeterProvider({ readers: [reader] }).getMeter('bulk');
    const histogram = meter.createHistogram('latency');
    for (let i = 0; i < 20_000; i++) histogram.record(i % 100, { route: `/route/${i}` });
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    const iterable = await reader.render('text');
    setImmediate(tick);
    let chunks = 0;
    for await (const _ of iterable) chunks++;
    running = false;
    expect(chunks).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThan(0);
  });

  it('answers negotiate() like negotiateExposition', () => {
    expect(new PrometheusReader().negotiate('application/openmetrics-text;version=1.0.0').format).toBe(
      'openmetrics',
    );
  });

  it('rejects render() when it is not registered on a MeterProvider', async () => {
    await expect(new PrometheusReader().render('text')).rejects.toThrow();
  });
});
