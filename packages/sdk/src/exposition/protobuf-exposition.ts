/**
 * The Prometheus protobuf exposition (`application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`): length-delimited `MetricFamily` messages, the one format that carries native
 * histograms to Prometheus 2.x. Exponential histograms become native histograms; explicit ones stay classic.
 */
import { type Attributes, diag } from '@opentelemetry/api';
import type { DataPoint, ExponentialHistogram, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  type Exemplar,
  type NativeSide,
  type SummaryScopeMetrics,
  toClassicBuckets,
  toNativeBuckets,
} from '@yardstick/metrics-core';
import protobuf from 'protobufjs/light.js';
import { attributeLabelPairs } from './attribute-labels.ts';
import { chooseBucketExemplars, latestExemplar, pointExemplars } from './exemplar-text.ts';
import type { ScopeLabels } from './label-renderer.ts';
import {
  collectExpositionFamilies,
  type ExpositionFamily,
  type MetricFamily,
  type SummaryFamily,
} from './metric-families.ts';
import {
  type BucketSpanObject,
  type ExemplarObject,
  FAMILY_FIELD,
  type HistogramObject,
  type LabelPairObject,
  METRIC_TYPE,
  MetricMessage,
  type MetricObject,
} from './prometheus-proto.ts';
import { summaryMetricObject, summarySeries } from './summary-exposition.ts';

/** Options of {@link ProtobufExpositionSerializer}; the same switches as the text serializer's. */
export interface ProtobufExpositionOptions {
  readonly withoutTargetInfo?: boolean | undefined;
  readonly withoutScopeLabels?: boolean | undefined;
  /** Target chunk length in bytes (default 65 536); a chunk ends after the family that crosses it. */
  readonly chunkSize?: number | undefined;
}

type Point = DataPoint<number> | DataPoint<Histogram> | DataPoint<ExponentialHistogram>;

const DEFAULT_CHUNK_SIZE = 65_536;
/** Series encoded between two offers of an event loop turn inside a large family. */
const SERIES_PER_TURN = 1_024;
const EMPTY = new Uint8Array(0);
const TARGET_RESERVED: ReadonlySet<string> = new Set(['__name__']);
const NAME_ONLY: ReadonlySet<string> = TARGET_RESERVED;
const LENGTH_DELIMITED = 2;
const VARINT = 0;

/** A series' label pairs and their identity key, remembered per frozen attribute set. */
interface SeriesLabels {
  readonly scopeText: string;
  readonly histogram: boolean;
  readonly pairs: LabelPairObject[];
  readonly key: string;
}

function exemplarObject(exemplar: Exemplar): ExemplarObject {
  const label: LabelPairObject[] =
    exemplar.traceId === undefined
      ? []
      : [
          { name: 'trace_id', value: exemplar.traceId },
          { name: 'span_id', value: exemplar.spanId ?? '' },
        ];
  const seconds = Math.floor(exemplar.timeUnixMs / 1000);
  const nanos = Math.round((exemplar.timeUnixMs - seconds * 1000) * 1e6);
  return { label, value: exemplar.value, timestamp: { seconds, nanos } };
}

/** Native spans and count deltas (each bucket against the one before it, the first against zero). */
function nativeSide(side: NativeSide): { spans: BucketSpanObject[]; deltas: number[] } {
  const deltas = new Array<number>(side.counts.length);
  let previous = 0;
  for (let i = 0; i < side.counts.length; i++) {
    const count = side.counts[i] as number;
    deltas[i] = count - previous;
    previous = count;
  }
  return { spans: side.spans, deltas };
}

function classicHistogram(
  point: Point,
  boundaries: readonly number[],
  counts: readonly number[],
  count: number,
  sum: number | undefined,
): HistogramObject {
  const exemplars = chooseBucketExemplars(point, boundaries);
  const bucket: NonNullable<HistogramObject['bucket']> = [];
  let cumulative = 0;
  let i = 0;
  for (; i < boundaries.length; i++) {
    const upperBound = boundaries[i] as number;
    if (upperBound === Number.POSITIVE_INFINITY || upperBound === Number.MAX_VALUE) break;
    cumulative += counts[i] ?? 0;
    const exemplar = exemplars?.[i];
    bucket.push(
      exemplar === undefined
        ? { cumulativeCount: cumulative, upperBound }
        : { cumulativeCount: cumulative, upperBound, exemplar: exemplarObject(exemplar) },
    );
  }
  // `+Inf` is written, so it can carry the overflow bucket's exemplar; Prometheus would add it otherwise.
  const inf = exemplars?.[i];
  bucket.push(
    inf === undefined
      ? { cumulativeCount: count, upperBound: Number.POSITIVE_INFINITY }
      : { cumulativeCount: count, upperBound: Number.POSITIVE_INFINITY, exemplar: exemplarObject(inf) },
  );
  return sum === undefined ? { sampleCount: count, bucket } : { sampleCount: count, sampleSum: sum, bucket };
}

/**
 * Serializes collections into the Prometheus protobuf format: one length-delimited `MetricFamily` per family
 * of the text formats (same names, same conflict rules, same `target_info`), series deduplicated by labels.
 * Keep one instance per reader: it remembers label pairs per series between scrapes.
 */
export class ProtobufExpositionSerializer {
  readonly #targetInfo: boolean;
  readonly #scopeLabels: boolean;
  readonly #chunkSize: number;
  readonly #warned = new Set<string>();
  // For speed: the core hands every collection the same frozen attribute set per series, so its label pairs
  // are sanitized and sorted once, as the text serializer does for its label strings.
  readonly #labels = new WeakMap<Attributes, SeriesLabels>();

  constructor(options: ProtobufExpositionOptions = {}) {
    this.#targetInfo = options.withoutTargetInfo !== true;
    this.#scopeLabels = options.withoutScopeLabels !== true;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  /**
   * Yields the exposition in chunks of about `chunkSize` bytes, and empty arrays where the caller may give
   * the event loop a turn (every 1,024 series of a large family).
   */
  *chunks(
    resourceMetrics: ResourceMetrics,
    summaries: readonly SummaryScopeMetrics[] = [],
  ): Generator<Uint8Array, void, undefined> {
    const families = collectExpositionFamilies(
      resourceMetrics,
      {
        targetInfo: this.#targetInfo,
        scopeLabels: this.#scopeLabels,
        warnOnce: (key, message) => this.#warnOnce(key, message),
      },
      summaries,
    );
    let writer = protobuf.Writer.create();
    for (const family of families) {
      if (family.type === 'info') {
        const label = attributeLabelPairs(resourceMetrics.resource.attributes, false, TARGET_RESERVED).map(
          ([name, value]) => ({ name, value }),
        );
        if (label.length === 0) continue;
        this.#familyHeader(writer, family);
        MetricMessage.encode({ label, gauge: { value: 1 } }, writer.uint32(tag(FAMILY_FIELD.metric)).fork());
        writer.ldelim().ldelim();
      } else if (family.type === 'summary') {
        this.#summaryFamily(writer, family);
      } else {
        yield* this.#family(writer, family);
      }
      if (writer.len >= this.#chunkSize) {
        yield writer.finish();
        writer = protobuf.Writer.create();
      }
    }
    if (writer.len > 0) yield writer.finish();
  }

  /** Renders the whole exposition as one buffer; for small outputs and tests. */
  render(resourceMetrics: ResourceMetrics, summaries: readonly SummaryScopeMetrics[] = []): Uint8Array {
    const parts = [...this.chunks(resourceMetrics, summaries)];
    return Buffer.concat(parts);
  }

  /** Writes a summary family: each series a `Metric` with a `Summary`. */
  #summaryFamily(writer: protobuf.Writer, family: SummaryFamily): void {
    const series = summarySeries(family, () =>
      this.#warnOnce(
        `duplicate:${family.name}`,
        `Prometheus exposition: "${family.name}" has OTel series that map to the same labels; only the first of each is exposed`,
      ),
    );
    if (series.length === 0) return;
    this.#familyHeader(writer, family);
    for (const one of series) {
      MetricMessage.encode(summaryMetricObject(one), writer.uint32(tag(FAMILY_FIELD.metric)).fork()).ldelim();
    }
    writer.ldelim();
  }

  /** Writes one family: header, then each series as a `Metric`, the family length-delimited. */
  *#family(writer: protobuf.Writer, family: MetricFamily): Generator<Uint8Array, void, undefined> {
    const histogram = family.type === 'histogram';
    const seen = new Set<string>();
    let written = 0;
    for (const { metric, scopeLabels } of family.members) {
      for (const point of metric.dataPoints as Point[]) {
        const labels = this.#seriesLabels(point.attributes, histogram, scopeLabels);
        if (seen.has(labels.key)) {
          this.#warnOnce(
            `duplicate:${family.name}`,
            `Prometheus exposition: "${family.name}" has OTel series that map to the same labels; only the first of each is exposed`,
          );
          continue;
        }
        seen.add(labels.key);
        if (written === 0) this.#familyHeader(writer, family);
        MetricMessage.encode(
          this.#metric(family, labels.pairs, point),
          writer.uint32(tag(FAMILY_FIELD.metric)).fork(),
        ).ldelim();
        if (++written % SERIES_PER_TURN === 0) yield EMPTY;
      }
    }
    if (written > 0) writer.ldelim();
  }

  /** Opens the family's delimited message (closed by the caller's `ldelim`) and writes name, help, type. */
  #familyHeader(writer: protobuf.Writer, family: ExpositionFamily): void {
    writer.fork();
    writer.uint32(tag(FAMILY_FIELD.name)).string(family.name);
    if (family.help !== '') writer.uint32(tag(FAMILY_FIELD.help)).string(family.help);
    const type = family.type === 'info' ? METRIC_TYPE.gauge : METRIC_TYPE[family.type];
    writer.uint32((FAMILY_FIELD.type << 3) | VARINT).int32(type);
  }

  #metric(family: MetricFamily, label: LabelPairObject[], point: Point): MetricObject {
    if (family.type === 'counter') {
      const exemplar = latestExemplar(point);
      const value = point.value as number;
      return {
        label,
        counter: exemplar === undefined ? { value } : { value, exemplar: exemplarObject(exemplar) },
      };
    }
    if (family.type !== 'histogram') return { label, gauge: { value: point.value as number } };
    const value = point.value as Histogram | ExponentialHistogram;
    if (!('scale' in value)) {
      const { boundaries, counts } = value.buckets;
      return { label, histogram: classicHistogram(point, boundaries, counts, value.count, value.sum) };
    }
    const native = toNativeBuckets(value);
    if (native === undefined) {
      this.#warnOnce(
        `coarse:${family.name}`,
        `Prometheus exposition: "${family.name}" has an exponential histogram below scale -4, which has no native histogram form; it is exposed as a classic histogram`,
      );
      const { boundaries, counts } = toClassicBuckets(value);
      return { label, histogram: classicHistogram(point, boundaries, counts, value.count, value.sum) };
    }
    const positive = nativeSide(native.positive);
    const negative = nativeSide(native.negative);
    const histogram: HistogramObject = {
      sampleCount: value.count,
      // An exponential histogram of an instrument that may record negative values has no sum; NaN says
      // "unknown" where an absent field would read as 0.
      sampleSum: value.sum ?? Number.NaN,
      schema: native.schema,
      zeroThreshold: 0,
      zeroCount: native.zeroCount,
      negativeSpan: negative.spans,
      negativeDelta: negative.deltas,
      // metrics.proto: "Use a no-op span (offset 0, length 0) for a native histogram without any observations
      // yet and with a zero_threshold of 0. Otherwise, it would be indistinguishable from a classic histogram."
      positiveSpan:
        positive.spans.length === 0 && negative.spans.length === 0 && native.zeroCount === 0
          ? [{ offset: 0, length: 0 }]
          : positive.spans,
      positiveDelta: positive.deltas,
    };
    const exemplars = pointExemplars(point);
    if (exemplars !== undefined) histogram.exemplars = exemplars.map(exemplarObject);
    return { label, histogram };
  }

  #seriesLabels(attributes: Attributes, histogram: boolean, scope: ScopeLabels): SeriesLabels {
    const known = this.#labels.get(attributes);
    if (known !== undefined && known.scopeText === scope.text && known.histogram === histogram) return known;
    const pairs = attributeLabelPairs(attributes, histogram, NAME_ONLY, scope.pairs);
    const labels: SeriesLabels = {
      scopeText: scope.text,
      histogram,
      pairs: pairs.map(([name, value]) => ({ name, value })),
      // JSON of the sorted pairs: unambiguous whatever the values hold.
      key: JSON.stringify(pairs),
    };
    if (Object.isFrozen(attributes)) this.#labels.set(attributes, labels);
    return labels;
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    diag.warn(message);
  }
}

function tag(field: number): number {
  return (field << 3) | LENGTH_DELIMITED;
}
