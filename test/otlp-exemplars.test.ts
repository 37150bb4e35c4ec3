/**
 * Exemplars over OTLP: OTel JS's own serializers write none; yardstick's OTLP exporters add the metrics core's
 * exemplars to the request (HTTP protobuf and JSON, and gRPC).
 */
import { type Context, context, TraceFlags, trace } from '@opentelemetry/api';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function inSampledSpan(): Context {
  return trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
}

let telemetry: Telemetry | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
  telemetry = undefined;
  receiver = undefined;
});

describe.each(['http/protobuf', 'http/json', 'grpc'] as const)('OTLP exemplars over %s', (protocol) => {
  it('carries the trace and span of a measurement made in a sampled span', async () => {
    receiver = protocol === 'grpc' ? await startOtlpGrpcReceiver() : await startOtlpReceiver();
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { enabled: false },
      store: { enabled: false },
      otlp: { endpoint: receiver.url, protocol, exportIntervalMs: 600_000 },
    });
    const meter = telemetry.meter('checkout');
    const before = Date.now();
    meter
      .createHistogram('checkout.duration', { unit: 's' })
      .record(0.25, { route: '/pay' }, inSampledSpan());
    meter.createCounter('orders.placed').add(3, { method: 'card' }, inSampledSpan());
    meter.createCounter('orders.unsampled').add(1);
    await telemetry.forceFlush();

    expect(receiver.exports).toHaveLength(1);
    const received = receiver.exports[0]!;
    const contentTypes = {
      'http/json': 'application/json',
      'http/protobuf': 'application/x-protobuf',
      grpc: 'application/grpc',
    };
    expect(received.contentType).toContain(contentTypes[protocol]);
    const exemplarsOf = (name: string) =>
      received.metrics.find((metric) => metric.name === name)?.points.flatMap((point) => point.exemplars) ??
      [];
    for (const [name, value] of [
      ['checkout.duration', 0.25],
      ['orders.placed', 3],
    ] as const) {
      const [exemplar, ...more] = exemplarsOf(name);
      expect(more).toEqual([]);
      expect({ name, value: exemplar?.value, traceId: exemplar?.traceId, spanId: exemplar?.spanId }).toEqual({
        name,
        value,
        traceId: TRACE_ID,
        spanId: SPAN_ID,
      });
      expect(exemplar!.timeUnixMs).toBeGreaterThanOrEqual(before);
      expect(exemplar!.timeUnixMs).toBeLessThanOrEqual(Date.now());
    }
    // trace_based: a measurement outside a sampled span is no exemplar
    expect(exemplarsOf('orders.unsampled')).toEqual([]);
  });
});
