/**
 * The OTLP metrics proto the exemplar serializer decodes and re-encodes OTel's requests with: it must declare
 * every field OTel writes (protobufjs drops the others). Exemplars end to end: test/otlp-exemplars.test.ts.
 */
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { startTelemetry, type Telemetry } from '../start-telemetry.ts';
import { exportMetricsServiceRequest } from './otlp-metrics-proto.ts';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

describe('the OTLP metrics proto', () => {
  it("decodes and re-encodes OTel's own request bytes unchanged, so adding exemplars loses nothing", async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { enabled: false },
      store: { enabled: false },
      resourceAttributes: { 'deployment.environment.name': 'test', 'host.arch': 'amd64' },
    });
    const meter = telemetry.meter('every-kind', '1.2.3');
    meter.createCounter('c').add(5, { a: 'x', n: 3, ok: true });
    meter.createUpDownCounter('u').add(-2.5);
    meter.createGauge('g').record(7, { list: 'y' });
    meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1, 10] } }).record(3);
    meter.createObservableGauge('og').addCallback((result) => result.observe(1.5, { k: 'v' }));
    const { resourceMetrics } = await telemetry.metricProducer().collect();
    const stock = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!;
    expect(stock.length).toBeGreaterThan(200);
    // protobufjs drops fields it does not know: every field OTel writes must be declared
    expect(undeclaredFields(exportMetricsServiceRequest, stock)).toEqual([]);
    expect(undeclaredFields(new protobuf.Type('Empty'), stock)).toEqual(['Empty#1']);
    const decoded = exportMetricsServiceRequest.decode(stock);
    const again = exportMetricsServiceRequest.decode(exportMetricsServiceRequest.encode(decoded).finish());
    const plain = (message: protobuf.Message) =>
      exportMetricsServiceRequest.toObject(message, { longs: String, bytes: String });
    expect(plain(again)).toEqual(plain(decoded));
  });
});

/** `Type.field@path` of every field in `bytes` that `type` (or a nested message type) does not declare. */
function undeclaredFields(type: protobuf.Type, bytes: Uint8Array, path = type.name): string[] {
  const found: string[] = [];
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    if (field === undefined) {
      found.push(`${path}#${id}`);
      reader.skipType(wireType);
    } else if (field.resolve().resolvedType instanceof protobuf.Type && wireType === 2) {
      found.push(
        ...undeclaredFields(field.resolvedType as protobuf.Type, reader.bytes(), `${path}.${field.name}`),
      );
    } else {
      reader.skipType(wireType);
    }
  }
  return found;
}
