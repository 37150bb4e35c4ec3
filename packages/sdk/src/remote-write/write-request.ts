/**
 * The Prometheus remote write 1.0 body: a `prometheus.WriteRequest` protobuf (the messages below are copied
 * from Prometheus's `prompb/remote.proto` and `prompb/types.proto`, histogram and exemplar fields left out)
 * compressed with snappy's block format, as the specification requires
 * (https://prometheus.io/docs/specs/remote_write_spec/).
 */
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

/** The subset of `prompb` that remote write 1.0 senders use for float samples and metadata. */
const REMOTE_PROTO = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
  repeated MetricMetadata metadata = 3;
}

message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
}

message Label {
  string name = 1;
  string value = 2;
}

message Sample {
  double value = 1;
  int64 timestamp = 2;
}

message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0;
    COUNTER = 1;
    GAUGE = 2;
    HISTOGRAM = 3;
    GAUGEHISTOGRAM = 4;
    SUMMARY = 5;
    INFO = 6;
    STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
`;

const writeRequestType = protobuf
  .parse(REMOTE_PROTO, { keepCase: true })
  .root.lookupType('prometheus.WriteRequest');

/** A label pair; a series' labels must be sorted by name, `__name__` included. */
export interface WireLabel {
  readonly name: string;
  readonly value: string;
}

/** One series of a request, samples in time order (milliseconds since the epoch). */
export interface WireSeries {
  readonly labels: readonly WireLabel[];
  readonly samples: readonly { readonly value: number; readonly timestamp: number }[];
}

/** Metric types of `MetricMetadata`, by their Prometheus names. */
export type WireMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'unknown';

const METRIC_TYPE_NUMBERS: Readonly<Record<WireMetricType, number>> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  summary: 5,
  info: 6,
};

/** Metadata of one metric family. */
export interface WireMetadata {
  readonly type: WireMetricType;
  readonly familyName: string;
  readonly help: string;
  readonly unit: string;
}

/** The snappy-compressed protobuf body of a remote write request. */
export function encodeWriteRequest(
  series: readonly WireSeries[],
  metadata: readonly WireMetadata[] = [],
): Uint8Array {
  const message = writeRequestType.fromObject({
    timeseries: series,
    metadata: metadata.map((m) => ({
      type: METRIC_TYPE_NUMBERS[m.type],
      metric_family_name: m.familyName,
      help: m.help,
      unit: m.unit,
    })),
  });
  return snappy.compress(writeRequestType.encode(message).finish());
}

/** Decodes a body made by {@link encodeWriteRequest} (for tests and fake receivers). */
export function decodeWriteRequest(body: Uint8Array): { timeseries: WireSeries[]; metadata: unknown[] } {
  const decoded = writeRequestType.toObject(writeRequestType.decode(snappy.uncompress(body)), {
    longs: Number,
    defaults: true,
    arrays: true,
  });
  return decoded as { timeseries: WireSeries[]; metadata: unknown[] };
}
