/**
 * Turns the workers' cumulative totals into deltas for one delta reader of the primary (an OTLP exporter
 * with `otlp.temporality: delta`, a delta reader of the application's own). Each reader keeps its own
 * previous totals, as the core keeps a delta reader's own pending values.
 */
import { DataPointType, type MetricData, Temporality } from '@yardstick/metrics-core';
import type { MetricEntry, MetricIndex } from './metric-index.ts';
import { type AnyPoint, subtractPoints } from './point-arithmetic.ts';

function isEmptyDelta(type: DataPointType, point: AnyPoint): boolean {
  if (type === DataPointType.SUM) return point.value === 0;
  return (point.value as { count: number }).count === 0;
}

/** One reader's conversion state; see the module documentation. */
export class CumulativeToDelta {
  readonly #previous = new Map<string, MetricEntry>();

  /**
   * `totals` with every sum and histogram `isDelta` selects as the change since the previous call: series
   * that did not change are left out, a series that restarted (its total went down) counts from zero, an
   * up-down sum that disappeared (its worker left) gives back its last value as a negative change.
   */
  convert(totals: MetricIndex, isDelta: (metric: MetricData) => boolean): MetricIndex {
    const converted: MetricIndex = new Map();
    for (const [key, entry] of totals) {
      const type = entry.metric.dataPointType;
      if (type === DataPointType.GAUGE || !isDelta(entry.metric)) {
        converted.set(key, entry);
        continue;
      }
      const monotonic = type !== DataPointType.SUM || entry.metric.isMonotonic;
      const previous = this.#previous.get(key)?.points;
      const points = new Map<string, AnyPoint>();
      for (const [series, current] of entry.points) {
        const before = previous?.get(series);
        const delta =
          before === undefined ? current : (subtractPoints(type, current, before, monotonic) ?? current);
        if (!isEmptyDelta(type, delta)) points.set(series, delta);
      }
      if (!monotonic && previous !== undefined) this.#giveBack(previous, points, entry.points);
      this.#previous.set(key, entry);
      converted.set(key, {
        ...entry,
        metric: { ...entry.metric, aggregationTemporality: Temporality.DELTA },
        points,
      });
    }
    for (const [key, entry] of this.#previous) {
      if (totals.has(key)) continue;
      this.#previous.delete(key);
      if (entry.metric.dataPointType !== DataPointType.SUM || entry.metric.isMonotonic) continue;
      const points = new Map<string, AnyPoint>();
      this.#giveBack(entry.points, points, new Map());
      converted.set(key, {
        ...entry,
        metric: { ...entry.metric, aggregationTemporality: Temporality.DELTA },
        points,
      });
    }
    return converted;
  }

  /** Adds a negative change for each up-down series of `previous` that `current` no longer has. */
  #giveBack(
    previous: ReadonlyMap<string, AnyPoint>,
    into: Map<string, AnyPoint>,
    current: ReadonlyMap<string, AnyPoint>,
  ): void {
    for (const [series, before] of previous) {
      if (current.has(series) || before.value === 0) continue;
      into.set(series, {
        attributes: before.attributes,
        startTime: before.endTime,
        endTime: before.endTime,
        value: -(before.value as number),
      });
    }
  }
}
