/**
 * Assembles per-step results into output series, keyed by label set, as Prometheus's `rangeEval`
 * does. Two results with the same label set at the same step are an error.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../storage/queryable.ts';
import { evalError } from './context.ts';
import { labelsKey } from './labels.ts';
import { emptySeries, type StepSeries, setHistogram } from './step-values.ts';

/** Collects samples step by step into series; insertion order is kept (an instant query's order). */
export class SeriesCollector {
  private readonly numSteps: number;
  private readonly byKey = new Map<string, StepSeries>();
  // Results usually reuse their input's label object across steps; resolving the object first skips
  // building the string key again on every step.
  private readonly byObject = new Map<Labels, StepSeries>();

  constructor(numSteps: number) {
    this.numSteps = numSteps;
  }

  /** Adds the value of `labels` at `step`; throws on a second value for the same labels and step. */
  add(labels: Labels, dropName: boolean, step: number, value: number): void {
    SeriesCollector.put(this.slot(labels, dropName), step, value);
  }

  /**
   * The output series for `labels`, created on first use. Callers that emit the same labels on many
   * steps keep the slot and {@link SeriesCollector.put} into it, skipping the lookup on every step.
   */
  slot(labels: Labels, dropName: boolean): StepSeries {
    let series = this.byObject.get(labels);
    if (series === undefined) {
      const key = labelsKey(labels);
      series = this.byKey.get(key);
      if (series === undefined) {
        series = emptySeries(labels, dropName, this.numSteps);
        this.byKey.set(key, series);
      }
      this.byObject.set(labels, series);
    }
    return series;
  }

  /**
   * Sets `value` (or `histogram`, when given) at `step` of a slot; a second value at the same step is the
   * same-labelset error.
   */
  static put(series: StepSeries, step: number, value: number, histogram?: FloatHistogram): void {
    if (series.present[step] === 1) throw evalError('vector cannot contain metrics with the same labelset');
    if (histogram !== undefined) {
      setHistogram(series, step, histogram);
      return;
    }
    series.present[step] = 1;
    series.values[step] = value;
  }

  /** The collected series, in first-seen order. */
  series(): StepSeries[] {
    return [...this.byKey.values()];
  }
}
