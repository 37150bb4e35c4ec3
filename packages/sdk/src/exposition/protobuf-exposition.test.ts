/**
 * The protobuf exposition decoded with the same `io.prometheus.client` descriptor: every metric type, the
 * native form of exponential histograms (schema, zero bucket, spans, deltas), classic buckets for explicit
 * ones, and counts that agree with the text exposition of the same collection.
 */

import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  InstrumentType,
  MeterProvider,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider } from '@yardstick/metrics-core';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { connectReaders } from '../provider/core-readers.ts';
import { MetricFamilyMessage } from './prometheus-proto.ts';
import { PrometheusReader } from './prometheus-reader.ts';
import { ProtobufExpositionSerializer } from './protobuf-exposition.ts';

interface Span {
  offset?: number;
  length?: number;
}
interface DecodedHistogram {
  sampleCount?: number;
  sampleSum?: number;
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  positiveSpan?: Span[];
  positiveDelta?: number[];
  negativeSpan?: Span[];
  negativeDelta?: number[];
  bucket?: { cumulativeCount?: number; upperBound?: number }[];
}
interface DecodedMetric {
  label?: { name: string; value: string }[];
  counter?: { value: number };
  gauge?: { value: number };
  histogram?: DecodedHistogram;
}
interface DecodedFamily {
  name: string;
  help?: string;
  type?: number;
  metric: DecodedMetric[];
}

async function scrapeProtobuf(reader: PrometheusReader): Promise<DecodedFamily[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of await reader.render('protobuf')) parts.push(chunk);
  const reader_ = protobuf.Reader.create(Buffer.concat(parts));
  const families: DecodedFamily[] = [];
  while (reader_.pos < reader_.len) {
    const message = MetricFamilyMessage.decodeDelimited(reader_);
    families.push(MetricFamilyMessage.toObject(message, { longs: Number, defaults: false }) as DecodedFamily);
  }
  return families;
}

/** Expands spans and deltas to index -> absolute count. */
function nativeBuckets(spans: Span[] = [], deltas: number[] = []): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let position = 0;
  let count = 0;
  for (const span of spans) {
    index += span.offset ?? 0;
    for (let j = 0; j < (span.length ?? 0); j++) {
      count += deltas[position++] as number;
      out.set(index++, count);
    }
  }
  expect(position).toBe(deltas.length);
  return out;
}

function coreSetup() {
  const core = new CoreMeterProvider({
    views: [{ instrumentName: 'latency', aggregation: { type: 'exponentialHistogram', maxScale: 3 } }],
  });
  const reader = new PrometheusReader({ withoutScopeLabels: true });
  const connected = connectReaders(core, [reader], resourceFromAttributes({ 'service.name': 'shop' }));
  return { core, reader, connected };
}

describe('protobuf exposition', () => {
  it('writes counters, gauges, explicit and exponential histograms and target_info as MetricFamily messages', async () => {
    const { core, reader, connected } = coreSetup();
    const meter = core.getMeter('test');
    meter.createCounter('requests', { description: 'Requests served.' }).add(5, { route: '/a' });
    meter.createUpDownCounter('in_flight').add(-2);
    meter.createHistogram('size', { unit: 'By', advice: { explicitBucketBoundaries: [10, 100] } }).record(50);
    const latency = meter.createHistogram('latency', { unit: 's' });
    for (const value of [0, 1, 3, 3, 0.3]) latency.record(value, { route: '/a' });
    const families = await scrapeProtobuf(reader);
    const byName = new Map(families.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual(
      ['in_flight', 'latency_seconds', 'requests_total', 'size_bytes', 'target_info'].sort(),
    );

    const requests = byName.get('requests_total')!;
    expect(requests.help).toBe('Requests served.');
    expect(requests.type ?? 0).toBe(0);
    expect(requests.metric).toEqual([{ label: [{ name: 'route', value: '/a' }], counter: { value: 5 } }]);
    expect(byName.get('in_flight')!.type).toBe(1);
    expect(byName.get('in_flight')!.metric[0]!.gauge).toEqual({ value: -2 });
    expect(byName.get('target_info')!.metric[0]).toEqual({
      label: [{ name: 'service_name', value: 'shop' }],
      gauge: { value: 1 },
    });

    const size = byName.get('size_bytes')!;
    expect(size.type).toBe(4);
    const classic = size.metric[0]!.histogram!;
    expect([classic.sampleCount, classic.sampleSum, classic.schema]).toEqual([1, 50, undefined]);
    // protobufjs leaves zero fields out of decoded objects.
    expect(classic.bucket!.map((b) => [b.cumulativeCount ?? 0, b.upperBound])).toEqual([
      [0, 10],
      [1, 100],
      [1, Number.POSITIVE_INFINITY],
    ]);

    const native = byName.get('latency_seconds')!.metric[0]!.histogram!;
    expect(native.bucket).toBeUndefined();
    expect(native.sampleCount).toBe(5);
    expect(native.sampleSum).toBeCloseTo(7.3);
    expect(native.schema).toBe(3);
    expect(native.zeroThreshold ?? 0).toBe(0);
    expect(native.zeroCount).toBe(1);
    // Prometheus bucket k at schema 3 holds (2^((k-1)/8), 2^(k/8)]: 1 -> 0, 3 -> 13, 0.3 -> -13.
    expect(nativeBuckets(native.positiveSpan, native.positiveDelta)).toEqual(
      new Map([
        [-13, 1],
        [0, 1],
        [13, 2],
      ]),
    );
    expect(native.negativeSpan ?? []).toEqual([]);
    await connected.shutdown();
  });

  it('marks an exponential histogram without observations native with a no-op span', () => {
    const point = {
      startTime: [0, 0] as [number, number],
      endTime: [1, 0] as [number, number],
      attributes: {},
      value: {
        count: 0,
        sum: 0,
        scale: 20,
        zeroCount: 0,
        positive: { offset: 0, bucketCounts: [] },
        negative: { offset: 0, bucketCounts: [] },
      },
    };
    const resourceMetrics = {
      resource: resourceFromAttributes({}),
      scopeMetrics: [
        {
          scope: { name: '' },
          metrics: [
            {
              descriptor: {
                name: 'idle',
                description: '',
                unit: '',
                valueType: ValueType.DOUBLE,
                type: InstrumentType.HISTOGRAM,
              },
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
              dataPoints: [point],
            },
          ],
        },
      ],
    } as unknown as ResourceMetrics;
    const bytes = new ProtobufExpositionSerializer({ withoutTargetInfo: true }).render(resourceMetrics);
    const family = MetricFamilyMessage.toObject(MetricFamilyMessage.decodeDelimited(bytes), {
      longs: Number,
    });
    expect(family.metric[0].histogram.schema).toBe(8);
    const spans = family.metric[0].histogram.positiveSpan as Span[];
    expect(spans.map((span) => [span.offset ?? 0, span.length ?? 0])).toEqual([[0, 0]]);
  });

  it('writes negative buckets of exponential histograms recorded through sdk-metrics', async () => {
    const reader = new PrometheusReader({ withoutScopeLabels: true, withoutTargetInfo: true });
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: 'offset', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const offset = provider.getMeter('test').createGauge('offset');
    offset.record(-3);
    const families = await scrapeProtobuf(reader);
    const histogram = families[0]!.metric[0]!.histogram!;
    expect(histogram.sampleCount).toBe(1);
    const buckets = nativeBuckets(histogram.negativeSpan, histogram.negativeDelta);
    expect([...buckets.values()]).toEqual([1]);
    // The single bucket's bounds at the histogram's schema hold 3.
    const [index] = [...buckets.keys()];
    const base = 2 ** (2 ** -histogram.schema!);
    expect(base ** (index! - 1)).toBeLessThan(3);
    expect(base ** index!).toBeGreaterThanOrEqual(3);
    await provider.shutdown();
  });

  it('counts the same observations per bucket as the text exposition of the same instrument', async () => {
    const { core, reader, connected } = coreSetup();
    const latency = core.getMeter('test').createHistogram('latency');
    const values = Array.from({ length: 500 }, (_, i) => 0.001 * 1.07 ** (i % 150));
    for (const value of values) latency.record(value);
    const native = (await scrapeProtobuf(reader)).find((f) => f.name === 'latency')!.metric[0]!.histogram!;
    let text = '';
    for await (const chunk of await reader.render('text')) text += chunk;
    const schema = native.schema!;
    const cumulativeByLe = new Map<number, number>();
    for (const match of text.matchAll(/^latency_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
      if (match[1] !== '+Inf') cumulativeByLe.set(Number(match[1]), Number(match[2]));
    }
    // Each text `le` is a native bucket's upper bound 2^(k / 2^schema); its cumulative count must match.
    let cumulative = 0;
    for (const [index, count] of nativeBuckets(native.positiveSpan, native.positiveDelta)) {
      cumulative += count;
      const le = [...cumulativeByLe.keys()].find(
        (bound) => Math.abs(Math.log2(bound) * 2 ** schema - index) < 1e-6,
      );
      expect(le, `text bucket for native bucket ${index}`).toBeDefined();
      expect(cumulativeByLe.get(le!)).toBe(cumulative);
    }
    expect(cumulative).toBe(values.length);
    await connected.shutdown();
  });
});
