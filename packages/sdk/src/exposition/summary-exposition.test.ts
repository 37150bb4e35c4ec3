/**
 * yardstick's summaries on the exposition, parsed back: text 0.0.4, OpenMetrics 1.0.0 and protobuf carry
 * the same quantiles, sum and count, with the quantile label, unit suffix, scope labels and HELP.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { CoreMeterProvider, createSummary } from '@yardstick/metrics-core';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { connectReaders } from '../provider/core-readers.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { MetricFamilyMessage } from './prometheus-proto.ts';
import { PrometheusReader } from './prometheus-reader.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface ParsedText {
  readonly types: Map<string, string>;
  readonly samples: Sample[];
}

/** A strict line parser: every line is a comment of a known kind or a sample, else it throws. */
function parseText(text: string): ParsedText {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF' || line.startsWith('# HELP ') || line.startsWith('# UNIT ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|info)$/.exec(line);
    if (type !== null) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{((?:\w+="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`not a valid exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = value as string;
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

async function renderText(reader: PrometheusReader, format: ExpositionFormat): Promise<string> {
  let text = '';
  for await (const chunk of await reader.render(format)) text += chunk;
  return text;
}

function setUp() {
  const core = new CoreMeterProvider();
  const reader = new PrometheusReader();
  connectReaders(core, [reader], resourceFromAttributes({ 'service.name': 'shop' }));
  reader.addSummarySource(core);
  const meter = core.getMeter('checkout', '1.2.0');
  const latency = createSummary(meter, 'checkout.duration', {
    unit: 's',
    description: 'Checkout time.',
    percentiles: [0.5, 0.9, 0.99],
  });
  for (let i = 1; i <= 1000; i++) latency.record(i / 1000, { route: '/pay', quantile: 'dropped' });
  latency.record(2, { route: '/cart' });
  createSummary(meter, 'idle.summary');
  meter.createCounter('orders').add(3);
  return { reader, core };
}

describe('summary exposition', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    it(`writes quantile, _sum and _count samples in ${format}`, async () => {
      const { reader } = setUp();
      const text = await renderText(reader, format);
      const { types, samples } = parseText(text);
      expect(types.get('checkout_duration_seconds')).toBe('summary');
      expect(types.get(format === 'text' ? 'orders_total' : 'orders')).toBe('counter');
      // A summary with no series yet writes nothing, not even its TYPE.
      expect(types.has('idle_summary')).toBe(false);
      expect(text).toContain('# HELP checkout_duration_seconds Checkout time.\n');
      if (format === 'openmetrics') expect(text).toContain('# UNIT checkout_duration_seconds seconds\n');
      const pay = samples.filter((s) => s.labels.route === '/pay');
      const quantiles = pay.filter((s) => s.name === 'checkout_duration_seconds');
      expect(quantiles.map((s) => s.labels.quantile)).toEqual(['0.5', '0.9', '0.99']);
      // Exact: the values at ranks floor(q * 999), each within the stated ~1% error.
      for (const [i, exact] of [0.5, 0.9, 0.99].entries()) {
        expect(Math.abs((quantiles[i]?.value ?? 0) - exact) / exact).toBeLessThan(0.012);
      }
      // Own labels first, then the scope labels, as the OTel families' series.
      expect(text).toContain(
        'checkout_duration_seconds{route="/pay",otel_scope_name="checkout",otel_scope_version="1.2.0",quantile="0.5"} ',
      );
      expect(quantiles[0]?.labels).toEqual({
        route: '/pay',
        otel_scope_name: 'checkout',
        otel_scope_version: '1.2.0',
        quantile: '0.5',
      });
      expect(pay.find((s) => s.name === 'checkout_duration_seconds_count')?.value).toBe(1000);
      expect(pay.find((s) => s.name === 'checkout_duration_seconds_sum')?.value).toBeCloseTo(500.5, 6);
      const cart = samples.filter(
        (s) => s.labels.route === '/cart' && s.name === 'checkout_duration_seconds',
      );
      expect(cart.map((s) => s.value)).toEqual([2, 2, 2]);
    });
  }

  it('writes a Summary message per series in the protobuf format', async () => {
    const { reader } = setUp();
    const parts: Uint8Array[] = [];
    for await (const chunk of await reader.render('protobuf')) parts.push(chunk);
    const input = protobuf.Reader.create(Buffer.concat(parts));
    const families: Array<Record<string, unknown>> = [];
    while (input.pos < input.len) {
      families.push(
        MetricFamilyMessage.toObject(MetricFamilyMessage.decodeDelimited(input), { longs: Number }),
      );
    }
    const family = families.find((f) => f.name === 'checkout_duration_seconds') as {
      type: number;
      help: string;
      metric: Array<{
        label: Array<{ name: string; value: string }>;
        summary: {
          sampleCount: number;
          sampleSum: number;
          quantile: Array<{ quantile: number; value: number }>;
        };
      }>;
    };
    expect(family.type).toBe(2);
    expect(family.help).toBe('Checkout time.');
    expect(family.metric).toHaveLength(2);
    const pay = family.metric.find((m) => m.label.some((l) => l.name === 'route' && l.value === '/pay'));
    expect(pay?.label.map((l) => l.name)).toEqual(['otel_scope_name', 'otel_scope_version', 'route']);
    expect(pay?.summary.sampleCount).toBe(1000);
    expect(pay?.summary.sampleSum).toBeCloseTo(500.5, 6);
    expect(pay?.summary.quantile.map((q) => q.quantile)).toEqual([0.5, 0.9, 0.99]);
    expect(Math.abs((pay?.summary.quantile[2]?.value ?? 0) - 0.99)).toBeLessThan(0.012);
  });

  it('writes NaN quantiles once the window is empty, keeping sum and count', async () => {
    const core = new CoreMeterProvider();
    const reader = new PrometheusReader();
    connectReaders(core, [reader], resourceFromAttributes({}));
    reader.addSummarySource(core);
    const summary = createSummary(core.getMeter('m'), 'batch.size', {
      percentiles: [0.5],
      maxAgeSeconds: 0.05,
      ageBuckets: 1,
    });
    summary.record(-4);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const text = await renderText(reader, 'text');
    expect(text).toContain('batch_size{otel_scope_name="m",quantile="0.5"} NaN\n');
    expect(text).toContain('batch_size_count{otel_scope_name="m"} 1\n');
    expect(text).toContain('batch_size_sum{otel_scope_name="m"} -4\n');
    // OpenMetrics: "Sum and Count values ... MUST NOT be NaN or negative", so the negative sum is left out.
    const openMetrics = await renderText(reader, 'openmetrics');
    expect(openMetrics).not.toContain('batch_size_sum');
    expect(openMetrics).toContain('batch_size_count{otel_scope_name="m"} 1\n');
  });

  it('drops a summary whose name another metric already uses, with the OTel metric kept', async () => {
    const core = new CoreMeterProvider();
    const reader = new PrometheusReader();
    connectReaders(core, [reader], resourceFromAttributes({}));
    reader.addSummarySource(core);
    const meter = core.getMeter('m');
    meter.createGauge('queue.depth').record(3);
    createSummary(meter, 'queue.depth').record(1);
    const { types, samples } = parseText(await renderText(reader, 'text'));
    expect(types.get('queue_depth')).toBe('gauge');
    expect(samples.filter((s) => s.name.startsWith('queue_depth'))).toHaveLength(1);
  });
});
