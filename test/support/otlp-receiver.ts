/**
 * OTLP metrics receivers for tests (HTTP with JSON or protobuf, and gRPC): each request decoded, with the
 * SDK's OTLP metrics proto, into one plain shape.
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
import { exportMetricsServiceRequest } from '../../packages/sdk/src/otlp/otlp-metrics-proto.ts';

/** An exemplar as the tests see it, whatever the encoding. */
export interface ReceivedExemplar {
  readonly value: number | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly timeUnixMs: number;
}

/** A data point as the tests see it, whatever the encoding. */
export interface ReceivedPoint {
  readonly attributes: Record<string, unknown>;
  readonly value: number | undefined;
  readonly count: number | undefined;
  readonly sum: number | undefined;
  /** The point's exemplars: value, ids in hex, time in epoch milliseconds. */
  readonly exemplars: readonly ReceivedExemplar[];
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

/** OTLP/JSON writes ids in hex; protobuf, decoded with `bytes: String`, gives base64. */
function hexId(value: string | undefined, contentType: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  return contentType.includes('json') ? value : Buffer.from(value, 'base64').toString('hex');
}

/** A protobuf request body as plain JSON-like objects (numbers for 64-bit fields, base64 for bytes). */
function decodeProtobuf(body: Uint8Array): Json {
  return exportMetricsServiceRequest.toObject(exportMetricsServiceRequest.decode(body), {
    longs: Number,
    bytes: String,
    defaults: false,
    oneofs: false,
  }) as Json;
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
          exemplars: (p.exemplars ?? []).map((e: Json) => ({
            value:
              e.asDouble !== undefined
                ? Number(e.asDouble)
                : e.asInt !== undefined
                  ? Number(e.asInt)
                  : undefined,
            traceId: hexId(e.traceId, contentType),
            spanId: hexId(e.spanId, contentType),
            // to the microsecond: a double's nanoseconds since 1970 are exact to ~256 ns
            timeUnixMs: Math.round(Number(e.timeUnixNano ?? 0) / 1e3) / 1e3,
          })),
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
        : decodeProtobuf(body);
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

/** The OTLP/gRPC metrics service method; request and response pass as bytes, decoded with the SDK's OTLP proto. */
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
        exports.push({
          ...normalize(decodeProtobuf(call.request), 'application/grpc'),
          metadata: call.metadata.getMap(),
        });
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
