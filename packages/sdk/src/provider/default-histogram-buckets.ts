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
      get(target, property) {
        if (property !== 'createHistogram') {
          // Bound to the meter itself: a meter with private fields (the metrics core's) refuses the proxy as `this`.
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
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
