/**
 * The `io.prometheus.client` protobuf messages (prometheus/client_model `metrics.proto`, proto2) as a
 * protobufjs JSON descriptor: a static descriptor instead of a `.proto` file read at run time, so nothing
 * is looked up on disk and the package works bundled. Field numbers are the wire contract and follow
 * client_model; names are camelCase as protobufjs objects spell them. `MetricFamily.unit` (5) and the
 * created timestamps are left out: Prometheus 2.42 does not read them.
 */
import protobuf from 'protobufjs/light.js';

const descriptor = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: {
              fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
            },
          },
        },
      },
    },
    io: {
      nested: {
        prometheus: {
          nested: {
            client: {
              nested: {
                MetricType: {
                  values: { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 },
                },
                LabelPair: {
                  fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
                },
                Gauge: { fields: { value: { type: 'double', id: 1 } } },
                Counter: {
                  fields: { value: { type: 'double', id: 1 }, exemplar: { type: 'Exemplar', id: 2 } },
                },
                Untyped: { fields: { value: { type: 'double', id: 1 } } },
                Quantile: {
                  fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } },
                },
                Summary: {
                  fields: {
                    sampleCount: { type: 'uint64', id: 1 },
                    sampleSum: { type: 'double', id: 2 },
                    quantile: { rule: 'repeated', type: 'Quantile', id: 3 },
                  },
                },
                Histogram: {
                  fields: {
                    sampleCount: { type: 'uint64', id: 1 },
                    sampleCountFloat: { type: 'double', id: 4 },
                    sampleSum: { type: 'double', id: 2 },
                    bucket: { rule: 'repeated', type: 'Bucket', id: 3 },
                    schema: { type: 'sint32', id: 5 },
                    zeroThreshold: { type: 'double', id: 6 },
                    zeroCount: { type: 'uint64', id: 7 },
                    zeroCountFloat: { type: 'double', id: 8 },
                    negativeSpan: { rule: 'repeated', type: 'BucketSpan', id: 9 },
                    negativeDelta: { rule: 'repeated', type: 'sint64', id: 10 },
                    negativeCount: { rule: 'repeated', type: 'double', id: 11 },
                    positiveSpan: { rule: 'repeated', type: 'BucketSpan', id: 12 },
                    positiveDelta: { rule: 'repeated', type: 'sint64', id: 13 },
                    positiveCount: { rule: 'repeated', type: 'double', id: 14 },
                    exemplars: { rule: 'repeated', type: 'Exemplar', id: 16 },
                  },
                },
                Bucket: {
                  fields: {
                    cumulativeCount: { type: 'uint64', id: 1 },
                    cumulativeCountFloat: { type: 'double', id: 4 },
                    upperBound: { type: 'double', id: 2 },
                    exemplar: { type: 'Exemplar', id: 3 },
                  },
                },
                BucketSpan: {
                  fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } },
                },
                Exemplar: {
                  fields: {
                    label: { rule: 'repeated', type: 'LabelPair', id: 1 },
                    value: { type: 'double', id: 2 },
                    timestamp: { type: 'google.protobuf.Timestamp', id: 3 },
                  },
                },
                Metric: {
                  fields: {
                    label: { rule: 'repeated', type: 'LabelPair', id: 1 },
                    gauge: { type: 'Gauge', id: 2 },
                    counter: { type: 'Counter', id: 3 },
                    summary: { type: 'Summary', id: 4 },
                    untyped: { type: 'Untyped', id: 5 },
                    histogram: { type: 'Histogram', id: 7 },
                    timestampMs: { type: 'int64', id: 6 },
                  },
                },
                MetricFamily: {
                  fields: {
                    name: { type: 'string', id: 1 },
                    help: { type: 'string', id: 2 },
                    type: { type: 'MetricType', id: 3 },
                    metric: { rule: 'repeated', type: 'Metric', id: 4 },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

/** `io.prometheus.client.Metric`: one series of a family. */
export const MetricMessage: protobuf.Type = root.lookupType('io.prometheus.client.Metric');
/** `io.prometheus.client.MetricFamily`: name, help, type and the series. */
export const MetricFamilyMessage: protobuf.Type = root.lookupType('io.prometheus.client.MetricFamily');

/** `MetricType` values of client_model. */
export const METRIC_TYPE = { counter: 0, gauge: 1, summary: 2, histogram: 4 } as const;

/** The field numbers of `MetricFamily`, for writing a family's header around series encoded one by one. */
export const FAMILY_FIELD = { name: 1, help: 2, type: 3, metric: 4 } as const;

/** A `LabelPair` object. */
export interface LabelPairObject {
  name: string;
  value: string;
}

/** An `Exemplar` object (the timestamp split in seconds and nanoseconds). */
export interface ExemplarObject {
  label: LabelPairObject[];
  value: number;
  timestamp: { seconds: number; nanos: number };
}

/** A `BucketSpan` object. */
export interface BucketSpanObject {
  offset: number;
  length: number;
}

/** A `Histogram` object: classic (`bucket`) or native (`schema`, spans, deltas). */
export interface HistogramObject {
  sampleCount: number;
  sampleSum?: number;
  bucket?: { cumulativeCount: number; upperBound: number; exemplar?: ExemplarObject }[];
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  negativeSpan?: BucketSpanObject[];
  negativeDelta?: number[];
  positiveSpan?: BucketSpanObject[];
  positiveDelta?: number[];
  exemplars?: ExemplarObject[];
}

/** A `Metric` object: the labels and one of the typed values. */
export interface MetricObject {
  label: LabelPairObject[];
  gauge?: { value: number };
  counter?: { value: number; exemplar?: ExemplarObject };
  histogram?: HistogramObject;
  summary?: SummaryObject;
}

/** A `Summary` object: count, sum and the quantiles. */
export interface SummaryObject {
  sampleCount: number;
  sampleSum: number;
  quantile: { quantile: number; value: number }[];
}
