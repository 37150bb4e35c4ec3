/**
 * A minimal OTLP/HTTP metrics receiver for tests: decodes JSON and protobuf (with the OTLP protos below,
 * a subset of opentelemetry-proto v1 sufficient for metrics) into one plain shape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  Server as GrpcServer,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const OTLP_METRICS_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; }
}
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
  Buckets positive = 8; Buckets negative = 9; uint32 flags = 10; optional double min = 12; optional double max = 13;
  double zero_threshold = 14;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
}
`;

const requestType = protobuf
  .parse(OTLP_METRICS_PROTO, { keepCase: false })
  .root.lookupType('otlp.ExportMetricsServiceRequest');

/** A data point as the tests see it, whatever the encoding. */
export interface ReceivedPoint {
  readonly attributes: Record<string, unknown>;
  readonly value: number | undefined;
  readonly count: number | undefined;
  readonly sum: number | undefined;
  /** An exponential histogram point's scale, zero bucket and positive buckets (OTel bucket indexes). */
  readonly exponential?: {
    readonly scale: number;
    readonly zeroCount: number;
    readonly positiveOffset: number;
    readonly positiveCounts: readonly number[];
  };
}

/** A metric as the tests see it. */
export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly kind: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram';
  readonly points: readonly ReceivedPoint[];
}

/** One decoded export request. */
export interface ReceivedExport {
  readonly contentType: string;
  /** gRPC call metadata (headers), gRPC receiver only. */
  readonly metadata?: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
  readonly scopes: readonly string[];
  readonly metrics: readonly ReceivedMetric[];
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf/JSON request bodies are untyped by nature
type Json = Record<string, any>;

function anyValue(v: Json | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

function attrs(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

function normalize(request: Json, contentType: string): ReceivedExport {
  const resourceMetrics: Json[] = request.resourceMetrics ?? [];
  const first = resourceMetrics[0] ?? {};
  const scopes: string[] = [];
  const metrics: ReceivedMetric[] = [];
  for (const rm of resourceMetrics) {
    for (const sm of rm.scopeMetrics ?? []) {
      scopes.push(sm.scope?.name ?? '');
      for (const m of sm.metrics ?? []) {
        const kind = m.sum
          ? 'sum'
          : m.gauge
            ? 'gauge'
            : m.exponentialHistogram
              ? 'exponentialHistogram'
              : 'histogram';
        const data = m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram ?? {};
        const points = (data.dataPoints ?? []).map((p: Json) => ({
          attributes: attrs(p.attributes),
          value:
            p.asDouble !== undefined
              ? Number(p.asDouble)
              : p.asInt !== undefined
                ? Number(p.asInt)
                : undefined,
          count: p.count !== undefined ? Number(p.count) : undefined,
          sum: p.sum !== undefined && p.sum !== null ? Number(p.sum) : undefined,
          ...(m.exponentialHistogram
            ? {
                exponential: {
                  scale: Number(p.scale ?? 0),
                  zeroCount: Number(p.zeroCount ?? 0),
                  positiveOffset: Number(p.positive?.offset ?? 0),
                  positiveCounts: (p.positive?.bucketCounts ?? []).map(Number),
                },
              }
            : {}),
        }));
        metrics.push({ name: m.name, unit: m.unit ?? '', kind, points });
      }
    }
  }
  return { contentType, resource: attrs(first.resource?.attributes), scopes, metrics };
}

/** A running receiver. */
export interface OtlpReceiver {
  readonly url: string;
  readonly exports: ReceivedExport[];
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 at `port` (0 = any). */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      let body = Buffer.concat(parts);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = req.headers['content-type'] ?? '';
      const decoded = contentType.includes('json')
        ? (JSON.parse(body.toString('utf8')) as Json)
        : (requestType.toObject(requestType.decode(body), {
            longs: Number,
            defaults: false,
            oneofs: false,
          }) as Json);
      exports.push(normalize(decoded, contentType));
      res.writeHead(200, {
        'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf',
      });
      res.end(contentType.includes('json') ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/v1/metrics`,
    exports,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The OTLP/gRPC metrics service method; request and response pass as bytes, decoded with the protos above. */
const EXPORT_METHOD = {
  path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  requestStream: false,
  responseStream: false,
  requestSerialize: (value: Buffer) => value,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (value: Buffer) => value,
  responseDeserialize: (bytes: Buffer) => bytes,
} as const;

/** Starts an OTLP/gRPC metrics receiver (plaintext) on 127.0.0.1; `url` is its `http://host:port`. */
export async function startOtlpGrpcReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server = new GrpcServer();
  server.addService(
    { Export: EXPORT_METHOD },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const decoded = requestType.toObject(requestType.decode(call.request), {
          longs: Number,
          defaults: false,
          oneofs: false,
        }) as Json;
        exports.push({ ...normalize(decoded, 'application/grpc'), metadata: call.metadata.getMap() });
        // An empty ExportMetricsServiceResponse: no partial success.
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
