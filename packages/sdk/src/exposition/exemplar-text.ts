/**
 * OpenMetrics exemplars: the ` # {trace_id="…",span_id="…"} <value> <timestamp>` that ends a counter's
 * `_total` line or a histogram's `_bucket` line. Text 0.0.4 has no exemplars; only OpenMetrics gets them.
 */
import type { Exemplar } from '@yardstick/metrics-core';
import { formatValue } from './format-value.ts';

/** A data point as the core collects it: sdk-metrics' `DataPoint` plus the core's `exemplars`. */
interface WithExemplars {
  readonly exemplars?: readonly Exemplar[] | undefined;
}

/**
 * The suffix of one sample line. OpenMetrics caps an exemplar's label set at 128 characters; trace and span
 * ids are 32 and 16 hex digits (the core keeps valid span contexts only), so the set is 63 characters.
 * The timestamp is in seconds, to the millisecond the core records.
 */
export function exemplarSuffix(exemplar: Exemplar): string {
  const labels =
    exemplar.traceId === undefined ? '' : `trace_id="${exemplar.traceId}",span_id="${exemplar.spanId}"`;
  return ` # {${labels}} ${formatValue(exemplar.value)} ${(exemplar.timeUnixMs / 1000).toFixed(3)}`;
}

/**
 * The exemplars of a point: the core's `exemplars` beside sdk-metrics' fields, or undefined when it has
 * none, so the common case costs one property read.
 */
export function pointExemplars(point: object): readonly Exemplar[] | undefined {
  const exemplars = (point as WithExemplars).exemplars;
  return exemplars === undefined || exemplars.length === 0 ? undefined : exemplars;
}

/** A counter's latest exemplar, or undefined when it has none. */
export function latestExemplar(point: object): Exemplar | undefined {
  const exemplars = pointExemplars(point);
  if (exemplars === undefined) return undefined;
  let latest = exemplars[0] as Exemplar;
  for (const exemplar of exemplars) if (exemplar.timeUnixMs >= latest.timeUnixMs) latest = exemplar;
  return latest;
}

/** The suffix of a counter's `_total` line: its latest exemplar, or '' when it has none. */
export function counterExemplar(point: object): string {
  const latest = latestExemplar(point);
  return latest === undefined ? '' : exemplarSuffix(latest);
}

/**
 * The exemplar of each classic bucket (`bounds.length` finite `le`s, then `+Inf`): each bucket gets the
 * latest exemplar whose value it holds (the first `le` at or above the value), so a reader of the
 * exposition finds every exemplar on the bucket it was counted in. Undefined when the point has none.
 */
export function chooseBucketExemplars(
  point: object,
  bounds: readonly number[],
): Array<Exemplar | undefined> | undefined {
  const exemplars = pointExemplars(point);
  if (exemplars === undefined) return undefined;
  const chosen: Array<Exemplar | undefined> = new Array(bounds.length + 1).fill(undefined);
  for (const exemplar of exemplars) {
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (exemplar.value > (bounds[mid] as number)) low = mid + 1;
      else high = mid;
    }
    const current = chosen[low];
    if (current === undefined || exemplar.timeUnixMs >= current.timeUnixMs) chosen[low] = exemplar;
  }
  return chosen;
}

/** The suffixes of a histogram's `_bucket` lines, by bucket (see {@link chooseBucketExemplars}). */
export function bucketExemplars(point: object, bounds: readonly number[]): string[] | undefined {
  return chooseBucketExemplars(point, bounds)?.map((exemplar) =>
    exemplar === undefined ? '' : exemplarSuffix(exemplar),
  );
}
