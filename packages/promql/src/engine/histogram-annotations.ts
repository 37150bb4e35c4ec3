/**
 * The annotations of native histogram evaluation, worded as Prometheus's util/annotations words them
 * (the `PromQL warning: ` / `PromQL info: ` prefix is added by {@link AnnotationSet}).
 */
import { goQuote } from '../parser/go-strings.ts';
import type { Labels } from '../storage/queryable.ts';
import type { AnnotationSet } from './annotations.ts';
import type { HistogramAccumulation } from './histogram-accumulators.ts';
import { METRIC_NAME } from './labels.ts';

/** The `__name__` of `labels`, or `""`, as Prometheus's `getMetricName` gives it. */
export function metricNameOf(labels: Labels): string {
  return labels[METRIC_NAME] ?? '';
}

/** Which operation combined histograms, in the annotation text. */
export type HistogramOperation = 'addition' | 'subtraction' | 'aggregation';

/** Warning: a range function met both floats and histograms in one window. */
export function warnMixedFloatsHistograms(annotations: AnnotationSet, labels: Labels): void {
  annotations.warn(
    `encountered a mix of histograms and floats for metric name ${goQuote(metricNameOf(labels))}`,
  );
}

/** Warning: an aggregation group held both floats and histograms. */
export function warnMixedFloatsHistogramsAggregation(annotations: AnnotationSet): void {
  annotations.warn('encountered a mix of histograms and floats for aggregation');
}

/** Warning: exponential and custom bucket histograms were to be combined. */
export function warnMixedExponentialCustom(annotations: AnnotationSet, labels: Labels): void {
  annotations.warn(
    `vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${goQuote(metricNameOf(labels))}`,
  );
}

/** Warning: a counter function (`rate`, `increase`, `irate`) read a gauge histogram. */
export function warnNotCounter(annotations: AnnotationSet, labels: Labels): void {
  annotations.warn(`this native histogram metric is not a counter: ${goQuote(metricNameOf(labels))}`);
}

/** Warning: a gauge function (`delta`, `idelta`) read a counter histogram. */
export function warnNotGauge(annotations: AnnotationSet, labels: Labels): void {
  annotations.warn(`this native histogram metric is not a gauge: ${goQuote(metricNameOf(labels))}`);
}

/** Info: a float function over a range skipped the histograms of a window that also held floats. */
export function infoHistogramIgnoredInMixedRange(annotations: AnnotationSet, labels: Labels): void {
  annotations.info(
    `ignored histograms in a range containing both floats and histograms for metric name ${goQuote(metricNameOf(labels))}`,
  );
}

/** Info: an aggregation that takes only floats skipped a histogram. */
export function infoHistogramIgnoredInAggregation(annotations: AnnotationSet, op: string): void {
  annotations.info(`ignored histogram in ${op} aggregation`);
}

/** Info: a binary operator met sample types it does not combine (the element is dropped). */
export function infoIncompatibleTypes(
  annotations: AnnotationSet,
  lhs: 'float' | 'histogram',
  op: string,
  rhs: 'float' | 'histogram',
): void {
  annotations.info(
    `incompatible sample types encountered for binary operator ${goQuote(op)}: ${lhs} ${op} ${rhs}`,
  );
}

/** Warning: `counter-reset` and `not-counter-reset` hints met in one sum or difference. */
export function warnCounterResetCollision(annotations: AnnotationSet, operation: HistogramOperation): void {
  annotations.warn(`conflicting counter resets during histogram ${operation}`);
}

/** Info: custom bucket bounds differed and were reduced to the common ones. */
export function infoMismatchedCustomBuckets(annotations: AnnotationSet, operation: HistogramOperation): void {
  annotations.info(`mismatched custom buckets were reconciled during ${operation}`);
}

/** The annotations of a finished sum or mean. */
export function annotateAccumulation(
  annotations: AnnotationSet,
  state: HistogramAccumulation,
  labels: Labels,
): void {
  if (state.mixedSchemas) warnMixedExponentialCustom(annotations, labels);
  if (state.counterResetSeen && state.notCounterResetSeen)
    warnCounterResetCollision(annotations, 'aggregation');
  if (state.nhcbBoundsReconciled) infoMismatchedCustomBuckets(annotations, 'aggregation');
}
