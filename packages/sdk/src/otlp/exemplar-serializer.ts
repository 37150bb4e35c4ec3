/**
 * OTLP serializers that carry exemplars. OTel JS's metrics data model has no exemplars and its OTLP
 * serializers write none; the metrics core's data points carry them (`DataPoint.exemplars`). These wrap OTel's
 * own serializers: the request is written by them, then, only when some point has exemplars, decoded, given
 * each point's exemplars (matched by position: the serializers keep the order of scopes, metrics and points,
 * checked by name and count) and written again. Exports without exemplars are OTel's bytes unchanged.
 */

import {
  type IExportMetricsServiceResponse,
  type ISerializer,
  JsonMetricsSerializer,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Exemplar } from '@yardstick/metrics-core';
import { exportMetricsServiceRequest } from './otlp-metrics-proto.ts';

type MetricsSerializer = ISerializer<ResourceMetrics, IExportMetricsServiceResponse>;

/** The fields of an OTLP request this file reads or writes, in protobufjs's and OTLP/JSON's camelCase. */
interface RequestPoint {
  exemplars?: unknown[];
}
interface RequestMetric {
  name: string;
  gauge?: { dataPoints?: RequestPoint[] };
  sum?: { dataPoints?: RequestPoint[] };
  histogram?: { dataPoints?: RequestPoint[] };
  exponentialHistogram?: { dataPoints?: RequestPoint[] };
}
interface Request {
  resourceMetrics?: { scopeMetrics?: { metrics?: RequestMetric[] }[] }[];
}

type Encode = (exemplar: Exemplar) => unknown;

function hasExemplars(data: ResourceMetrics): boolean {
  for (const scope of data.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints as { exemplars?: Exemplar[] }[]) {
        if (point.exemplars !== undefined && point.exemplars.length > 0) return true;
      }
    }
  }
  return false;
}

/** Sets each request point's exemplars from the matching data point; a shape that differs is left alone. */
function attachExemplars(request: Request, data: ResourceMetrics, encode: Encode): void {
  const scopes = request.resourceMetrics?.[0]?.scopeMetrics ?? [];
  if (scopes.length !== data.scopeMetrics.length) return;
  data.scopeMetrics.forEach((scope, s) => {
    const metrics = scopes[s]?.metrics ?? [];
    if (metrics.length !== scope.metrics.length) return;
    scope.metrics.forEach((metric, m) => {
      const target = metrics[m]!;
      if (target.name !== metric.descriptor.name) return;
      const points = (target.sum ?? target.gauge ?? target.histogram ?? target.exponentialHistogram)
        ?.dataPoints;
      const source = metric.dataPoints as { exemplars?: Exemplar[] }[];
      if (points === undefined || points.length !== source.length) return;
      source.forEach((point, p) => {
        if (point.exemplars !== undefined && point.exemplars.length > 0) {
          points[p]!.exemplars = point.exemplars.map(encode);
        }
      });
    });
  });
}

/** A fixed64 as protobufjs takes it: low and high 32 bits. */
function longFromBigInt(value: bigint): { low: number; high: number; unsigned: boolean } {
  return { low: Number(value & 0xffffffffn) | 0, high: Number(value >> 32n) | 0, unsigned: true };
}

function timeUnixNano(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

/** OTLP/protobuf (`http/protobuf`, gRPC) with exemplars. */
export const protobufExemplarSerializer: MetricsSerializer = {
  serializeRequest(data) {
    const bytes = ProtobufMetricsSerializer.serializeRequest(data);
    if (bytes === undefined || !hasExemplars(data)) return bytes;
    const request = exportMetricsServiceRequest.decode(bytes) as unknown as Request;
    attachExemplars(request, data, (exemplar) => {
      const nanos = timeUnixNano(exemplar.timeUnixMs);
      return {
        filteredAttributes: [],
        timeUnixNano: longFromBigInt(nanos),
        asDouble: exemplar.value,
        ...(exemplar.traceId === undefined ? {} : { traceId: Buffer.from(exemplar.traceId, 'hex') }),
        ...(exemplar.spanId === undefined ? {} : { spanId: Buffer.from(exemplar.spanId, 'hex') }),
      };
    });
    return exportMetricsServiceRequest.encode(request as unknown as Record<string, unknown>).finish();
  },
  deserializeResponse: (bytes) => ProtobufMetricsSerializer.deserializeResponse(bytes),
};

/** OTLP/JSON (`http/json`) with exemplars: ids in hex and nanoseconds as a string, as OTLP/JSON writes them. */
export const jsonExemplarSerializer: MetricsSerializer = {
  serializeRequest(data) {
    const bytes = JsonMetricsSerializer.serializeRequest(data);
    if (bytes === undefined || !hasExemplars(data)) return bytes;
    const request = JSON.parse(new TextDecoder().decode(bytes)) as Request;
    attachExemplars(request, data, (exemplar) => ({
      filteredAttributes: [],
      timeUnixNano: timeUnixNano(exemplar.timeUnixMs).toString(),
      asDouble: exemplar.value,
      ...(exemplar.traceId === undefined ? {} : { traceId: exemplar.traceId }),
      ...(exemplar.spanId === undefined ? {} : { spanId: exemplar.spanId }),
    }));
    return new TextEncoder().encode(JSON.stringify(request));
  },
  deserializeResponse: (bytes) => JsonMetricsSerializer.deserializeResponse(bytes),
};
