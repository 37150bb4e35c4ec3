import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Observable,
  ObservableCallback,
  ObservableResult,
} from '@opentelemetry/api';
import { attributeSetKey } from '../processors/series-limiter.ts';
import type { InstrumentPipeline } from './instrument-pipeline.ts';

/**
 * How observations that end up under one attribute set combine: sums add (an overflow series of an
 * observable counter is the total of the sets it holds), gauges keep the last value.
 */
export type ObservationMerge = 'sum' | 'last';

/**
 * Collects one callback's observations of one instrument, then hands them to the SDK through the
 * instrument's pipeline. The SDK keeps one value per attribute set and would let the last of several sets
 * mapped to the same series win; merging here keeps sums exact.
 */
class ObservationBuffer {
  readonly #observed = new Map<string, readonly [Attributes, number]>();

  observe(value: number, attributes: Attributes = {}): void {
    // Like the SDK, a set observed twice in one callback keeps its last value.
    this.#observed.set(attributeSetKey(attributes), [attributes, value]);
  }

  /**
   * Sends the observations, in first-observed order, through `pipeline` to `emit`, noting each emitted set
   * in `processed` so the views' processor does not rewrite it a second time.
   */
  flush(
    pipeline: InstrumentPipeline,
    merge: ObservationMerge,
    processed: WeakSet<Attributes>,
    emit: (value: number, attributes: Attributes) => void,
  ): void {
    const merged = new Map<string, [Attributes, number]>();
    for (const [attributes, value] of this.#observed.values()) {
      const output = pipeline.process(attributes);
      const key = attributeSetKey(output);
      const previous = merged.get(key);
      if (previous === undefined) merged.set(key, [output, value]);
      else previous[1] = merge === 'sum' ? previous[1] + value : value;
    }
    for (const [attributes, value] of merged.values()) {
      processed.add(attributes);
      emit(value, attributes);
    }
  }
}

function settle(result: void | Promise<void>, then: () => void): void | Promise<void> {
  if (result instanceof Promise) return result.then(then);
  then();
}

/** An observable instrument whose callbacks' observations go through its pipeline. */
export class BoundObservable implements Observable {
  readonly inner: Observable;
  readonly pipeline: InstrumentPipeline;
  readonly merge: ObservationMerge;
  readonly processed: WeakSet<Attributes>;
  readonly #wrappers = new Map<ObservableCallback, ObservableCallback>();

  constructor(
    inner: Observable,
    pipeline: InstrumentPipeline,
    merge: ObservationMerge,
    processed: WeakSet<Attributes>,
  ) {
    this.inner = inner;
    this.pipeline = pipeline;
    this.merge = merge;
    this.processed = processed;
  }

  addCallback(callback: ObservableCallback): void {
    if (this.#wrappers.has(callback)) return;
    const wrapper: ObservableCallback = (result: ObservableResult) => {
      const buffer = new ObservationBuffer();
      const passOn: ObservableResult = {
        observe: (value, attributes) => {
          // Non-numbers go straight to the SDK, which reports and drops them.
          if (typeof value === 'number') buffer.observe(value, attributes);
          else result.observe(value, attributes);
        },
      };
      return settle(callback(passOn), () =>
        buffer.flush(this.pipeline, this.merge, this.processed, (value, attributes) =>
          result.observe(value, attributes),
        ),
      );
    };
    this.#wrappers.set(callback, wrapper);
    this.inner.addCallback(wrapper);
  }

  removeCallback(callback: ObservableCallback): void {
    const wrapper = this.#wrappers.get(callback);
    if (wrapper === undefined) return;
    this.#wrappers.delete(callback);
    this.inner.removeCallback(wrapper);
  }
}

/** The SDK's instrument behind `observable`. */
export function innerObservable(observable: Observable): Observable {
  return observable instanceof BoundObservable ? observable.inner : observable;
}

/** Wraps a batch callback so observations of bound instruments go through their pipelines. */
export function wrapBatchCallback(callback: BatchObservableCallback): BatchObservableCallback {
  return (result: BatchObservableResult) => {
    const buffers = new Map<BoundObservable, ObservationBuffer>();
    const passOn: BatchObservableResult = {
      observe: (observable, value, attributes) => {
        if (!(observable instanceof BoundObservable) || typeof value !== 'number') {
          result.observe(innerObservable(observable), value, attributes);
          return;
        }
        let buffer = buffers.get(observable);
        if (buffer === undefined) {
          buffer = new ObservationBuffer();
          buffers.set(observable, buffer);
        }
        buffer.observe(value, attributes);
      },
    };
    return settle(callback(passOn), () => {
      for (const [observable, buffer] of buffers) {
        buffer.flush(observable.pipeline, observable.merge, observable.processed, (value, attributes) =>
          result.observe(observable.inner, value, attributes),
        );
      }
    });
  };
}
