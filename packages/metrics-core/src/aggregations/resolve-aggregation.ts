/**
 * Which aggregator a stream gets: the view's choice, or the specification's default for the instrument kind
 * (sum for counters, last value for gauges, explicit buckets for histograms unless the provider defaults
 * histograms to exponential).
 */
import type { MetricOptions } from '@opentelemetry/api';
import type { InstrumentKind } from '../model/metric-data.ts';
import type { SeriesCell } from '../series/series-cell.ts';
import type { AggregationOption } from '../views/view.ts';
import type { Aggregator } from './aggregator.ts';
import { checkBoundaries, createHistogramAggregator } from './explicit-histogram.ts';
import { checkExponentialHistogramOptions } from './exponential-histogram.ts';
import { createExponentialHistogramAggregator } from './exponential-histogram-aggregator.ts';
import { lastValueAggregator } from './last-value.ts';
import { sumAggregator } from './sum.ts';

/** Any aggregator, as the provider handles them. */
export type AnyAggregator = Aggregator<SeriesCell, unknown, unknown>;

/** The default aggregation of histograms that no view configures. */
export type HistogramAggregationDefault = 'explicit' | 'exponential';

/** The aggregator for a stream, `'drop'`, or a problem to warn about (then the default is used). */
export function resolveAggregation(
  option: AggregationOption | undefined,
  kind: InstrumentKind,
  options: MetricOptions,
  histogramDefault: HistogramAggregationDefault,
  warn: (message: string) => void,
): AnyAggregator | 'drop' {
  const negativeAllowed =
    kind === 'UP_DOWN_COUNTER' ||
    kind === 'GAUGE' ||
    kind === 'OBSERVABLE_UP_DOWN_COUNTER' ||
    kind === 'OBSERVABLE_GAUGE';
  const type = option?.type ?? 'default';
  if (type === 'drop') return 'drop';
  const observable = kind.startsWith('OBSERVABLE_');
  // Observable instruments report values they observe, as sums or gauges; a bucketed view of them is not
  // supported here (the default is used, with a warning).
  if (observable && (type === 'explicitHistogram' || type === 'exponentialHistogram')) {
    warn(`a ${type} aggregation is not supported for observable instruments; the default is used`);
  } else {
    if (type === 'sum') return sumAggregator as unknown as AnyAggregator;
    if (type === 'lastValue') return lastValueAggregator as unknown as AnyAggregator;
    if (type === 'explicitHistogram' && option?.type === 'explicitHistogram') {
      return explicit(option.boundaries, option.recordMinMax, !negativeAllowed, warn);
    }
    if (type === 'exponentialHistogram' && option?.type === 'exponentialHistogram') {
      const chosen = {
        maxSize: option.maxSize,
        maxScale: option.maxScale,
        recordMinMax: option.recordMinMax,
      };
      const problem = checkExponentialHistogramOptions(chosen);
      if (problem !== undefined)
        warn(`exponential histogram options ignored (${problem}); the defaults are used`);
      return createExponentialHistogramAggregator({
        ...(problem === undefined ? chosen : {}),
        exportSum: !negativeAllowed,
      }) as unknown as AnyAggregator;
    }
  }
  switch (kind) {
    case 'COUNTER':
    case 'UP_DOWN_COUNTER':
    case 'OBSERVABLE_COUNTER':
    case 'OBSERVABLE_UP_DOWN_COUNTER':
      return sumAggregator as unknown as AnyAggregator;
    case 'GAUGE':
    case 'OBSERVABLE_GAUGE':
      return lastValueAggregator as unknown as AnyAggregator;
    case 'HISTOGRAM':
      if (histogramDefault === 'exponential')
        return createExponentialHistogramAggregator({}) as unknown as AnyAggregator;
      return explicit(options.advice?.explicitBucketBoundaries, true, true, warn);
  }
}

function explicit(
  boundaries: readonly number[] | undefined,
  recordMinMax: boolean | undefined,
  exportSum: boolean,
  warn: (message: string) => void,
): AnyAggregator {
  let chosen = boundaries;
  if (chosen !== undefined) {
    const problem = checkBoundaries(chosen);
    if (problem !== undefined) {
      warn(`histogram bucket boundaries ignored (${problem}); the default boundaries are used`);
      chosen = undefined;
    }
  }
  return createHistogramAggregator({
    boundaries: chosen,
    recordMinMax,
    exportSum,
  }) as unknown as AnyAggregator;
}
