/**
 * The configured default histogram buckets, applied as instrument advice: an instrument that brings its own
 * `advice.explicitBucketBoundaries` keeps them, every other histogram gets the configured ones. (A view or a
 * reader-level aggregation would override the instrument's own advice, and a second view would duplicate
 * the stream.)
 */
import type { Meter, MeterOptions, MeterProvider, MetricOptions } from '@opentelemetry/api';

/** Wraps `provider` so histograms without bucket advice use `buckets`. */
export function withDefaultHistogramBuckets(
  provider: MeterProvider,
  buckets: readonly number[],
): MeterProvider {
  const boundaries = [...buckets];
  const wrapMeter = (meter: Meter): Meter =>
    new Proxy(meter, {
      get(target, property, receiver) {
        if (property !== 'createHistogram') return Reflect.get(target, property, receiver);
        return (name: string, options: MetricOptions = {}) =>
          target.createHistogram(
            name,
            options.advice?.explicitBucketBoundaries
              ? options
              : { ...options, advice: { ...options.advice, explicitBucketBoundaries: boundaries } },
          );
      },
    });
  return {
    getMeter: (name: string, version?: string, options?: MeterOptions) =>
      wrapMeter(provider.getMeter(name, version, options)),
  };
}
