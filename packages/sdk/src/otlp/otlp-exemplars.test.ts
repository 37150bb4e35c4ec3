import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Server as GrpcServer,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { type Context, context, TraceFlags, trace } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { startTelemetry, type Telemetry } from '../start-telemetry.ts';
import { exportMetricsServiceRequest } from './otlp-metrics-proto.ts';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function inSampledSpan(): Context {
  return trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
}

/** A collector stand-in: the requests it received, undecoded. */
interface Collector {
  readonly url: string;
  readonly bodies: { type: string; body: Buffer }[];
  close(): Promise<void>;
}

/** A gRPC collector stand-in keeping the raw request messages. */
async function startGrpcCollector(): Promise<Collector> {
  const bodies: { type: string; body: Buffer }[] = [];
  const grpc = new GrpcServer();
  const bytes = (value: Buffer) => value;
  grpc.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes,
        requestDeserialize: bytes,
        responseSerialize: bytes,
        responseDeserialize: bytes,
      },
    },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        bodies.push({ type: 'application/grpc', body: call.request });
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    close: () => new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())),
    url: `http://127.0.0.1:${port}`,
    bodies,
  };
}

/** A collector stand-in keeping the raw request bodies. */
async function startCollector(): Promise<Collector> {
  const bodies: { type: string; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      bodies.push({ type: req.headers['content-type'] ?? '', body: Buffer.concat(parts) });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? '' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`,
    bodies,
  };
}

let telemetry: Telemetry | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  await collector?.close();
  telemetry = undefined;
  collector = undefined;
});

interface DecodedExemplar {
  asDouble?: number;
  traceId?: string;
  spanId?: string;
  timeUnixNano?: string;
}

/** Every data point's exemplars of metric `name` in a decoded request (protobuf or JSON, same camelCase). */
// biome-ignore lint/suspicious/noExplicitAny: a decoded OTLP request
function exemplarsOf(request: any, name: string): DecodedExemplar[] {
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== name) continue;
        const data = metric.sum ?? metric.gauge ?? metric.histogram ?? metric.exponentialHistogram;
        return data.dataPoints.flatMap((point: { exemplars?: DecodedExemplar[] }) => point.exemplars ?? []);
      }
    }
  }
  return [];
}

describe.each(['http/protobuf', 'http/json', 'grpc'] as const)('OTLP exemplars over %s', (protocol) => {
  it('carries the trace and span of a measurement made in a sampled span', async () => {
    collector = protocol === 'grpc' ? await startGrpcCollector() : await startCollector();
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { enabled: false },
      store: { enabled: false },
      otlp: { endpoint: collector.url, protocol, exportIntervalMs: 600_000 },
    });
    const meter = telemetry.meter('checkout');
    const before = Date.now();
    meter
      .createHistogram('checkout.duration', { unit: 's' })
      .record(0.25, { route: '/pay' }, inSampledSpan());
    meter.createCounter('orders.placed').add(3, { method: 'card' }, inSampledSpan());
    meter.createCounter('orders.unsampled').add(1);
    await telemetry.forceFlush();

    expect(collector.bodies).toHaveLength(1);
    const { type, body } = collector.bodies[0]!;
    const request =
      protocol === 'http/json'
        ? JSON.parse(body.toString('utf8'))
        : exportMetricsServiceRequest.toObject(exportMetricsServiceRequest.decode(body), {
            longs: String,
            bytes: String,
          });
    const contentTypes = {
      'http/json': 'application/json',
      'http/protobuf': 'application/x-protobuf',
      grpc: 'application/grpc',
    };
    expect(type).toContain(contentTypes[protocol]);
    const hex = (id: string | undefined) =>
      protocol === 'http/json' ? id : Buffer.from(id ?? '', 'base64').toString('hex');
    for (const [name, value] of [
      ['checkout.duration', 0.25],
      ['orders.placed', 3],
    ] as const) {
      const [exemplar, ...more] = exemplarsOf(request, name);
      expect(more).toEqual([]);
      expect({
        name,
        value: exemplar?.asDouble,
        traceId: hex(exemplar?.traceId),
        spanId: hex(exemplar?.spanId),
      }).toEqual({ name, value, traceId: TRACE_ID, spanId: SPAN_ID });
      const ms = Number(BigInt(exemplar?.timeUnixNano ?? '0') / 1_000_000n);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now());
    }
    // trace_based: a measurement outside a sampled span is no exemplar
    expect(exemplarsOf(request, 'orders.unsampled')).toEqual([]);
  });
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
