/**
 * Stock `@opentelemetry/sdk-metrics` as the reference for differential tests: a provider with a cumulative
 * and a delta reader, and the data of both normalised for comparison with the core's.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type InstrumentType,
  MeterProvider,
  MetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import type { MetricData as CoreMetricData } from '../model/metric-data.ts';

/** A reader of stock sdk-metrics that collects on demand with a fixed temporality. */
class ManualReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: (_: InstrumentType) => temporality });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Stock sdk-metrics with one cumulative and one delta reader. */
export function stockSdk(views: ViewOptions[] = []) {
  const cumulative = new ManualReader(AggregationTemporality.CUMULATIVE);
  const delta = new ManualReader(AggregationTemporality.DELTA);
  const provider = new MeterProvider({ readers: [cumulative, delta], views });
  const collect = async (reader: MetricReader) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics) as unknown as CoreMetricData[];
  };
  return { provider, collectCumulative: () => collect(cumulative), collectDelta: () => collect(delta) };
}

/** A point reduced to what both implementations must agree on: attributes and value, sorted. */
export interface NormalizedPoint {
  readonly attributes: string;
  readonly value: unknown;
}

/** Metric data by name, each with its points sorted by attributes; times are left out (checked apart). */
export function normalize(
  metrics: readonly CoreMetricData[],
): Record<string, { type: number; temporality: number; monotonic?: boolean; points: NormalizedPoint[] }> {
  const out: Record<
    string,
    { type: number; temporality: number; monotonic?: boolean; points: NormalizedPoint[] }
  > = {};
  for (const metric of metrics) {
    const points = (metric.dataPoints as Array<{ attributes: Attributes; value: unknown }>)
      .map((p) => ({ attributes: sortedKey(p.attributes), value: roundValue(p.value) }))
      .sort((a, b) => (a.attributes < b.attributes ? -1 : a.attributes > b.attributes ? 1 : 0));
    out[metric.descriptor.name] = {
      type: metric.dataPointType,
      temporality: metric.aggregationTemporality,
      ...('isMonotonic' in metric ? { monotonic: metric.isMonotonic } : {}),
      points,
    };
  }
  return out;
}

function sortedKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((k) => [k, attributes[k]]),
  );
}

/** Sums in another order differ in the last bits; 12 significant digits are compared. */
function roundValue(value: unknown): unknown {
  if (typeof value === 'number') return Number(value.toPrecision(12));
  if (Array.isArray(value)) return value.map(roundValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = roundValue(v);
    return out;
  }
  return value;
}

/** The buckets of one sign of a normalized exponential point. */
interface NormalizedBuckets {
  offset: number;
  bucketCounts: number[];
}

/** `buckets` at a scale `by` steps lower: bucket `i` goes into `i >> by`, counts added. */
function downscaled(buckets: NormalizedBuckets, by: number): NormalizedBuckets {
  const offset = buckets.offset >> by;
  const bucketCounts: number[] = [];
  buckets.bucketCounts.forEach((count, i) => {
    const at = ((buckets.offset + i) >> by) - offset;
    bucketCounts[at] = (bucketCounts[at] ?? 0) + count;
  });
  return { offset: buckets.bucketCounts.length === 0 ? buckets.offset : offset, bucketCounts };
}

/**
 * Stock sdk-metrics 3.1 merges an interval that holds only zeros into a cumulative exponential histogram
 * as if its empty bucket range were [0, -1], so the merged range reaches index 0 and it downscales:
 * 0.5 then a 0 leaves it at scale 4, 5e-324 then a 0 at scale -6, where the core keeps scale 20 (an
 * empty range holds no bucket to make room for). Where stock's scale is the lower one, the core's buckets
 * are compared at stock's scale (the same counts, merged as a downscale merges them); everything else of
 * the point must still be equal. Mutates `core`, a result of {@link normalize}.
 */
export function atStockScales(core: ReturnType<typeof normalize>, stock: ReturnType<typeof normalize>): void {
  for (const [name, metric] of Object.entries(core)) {
    const reference = stock[name];
    if (reference === undefined || metric.type !== 1) continue;
    metric.points.forEach((point, i) => {
      const value = point.value as {
        scale: number;
        positive: NormalizedBuckets;
        negative: NormalizedBuckets;
      };
      const expected = reference.points[i]?.value as { scale: number } | undefined;
      if (expected === undefined || point.attributes !== reference.points[i]?.attributes) return;
      const by = value.scale - expected.scale;
      if (by <= 0) return;
      (point as { value: unknown }).value = {
        ...value,
        scale: expected.scale,
        positive: downscaled(value.positive, by),
        negative: downscaled(value.negative, by),
      };
    });
  }
}
