import type { Labels } from '@yardstick/promql';

/** A key for a label set that does not depend on the order of its names: equal sets, equal keys. */
export function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}
