import type {
  Attributes,
  BatchObservableCallback,
  Context,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';
import { BoundObservable, innerObservable, wrapBatchCallback } from './bound-observables.ts';
import type { InstrumentPipeline } from './instrument-pipeline.ts';

/**
 * The pipeline of the instrument currently recording. An sdk-metrics attributes processor is shared by
 * every instrument its view matches and is never told which one calls it; the bound instruments below set
 * this for the duration of their synchronous `add`/`record`, which is the whole life of the processor call.
 */
export interface PipelineRouter {
  current: InstrumentPipeline | undefined;
  /** Observations of bound observables, already through their pipeline when the SDK hands them over. */
  readonly processed: WeakSet<Attributes>;
}

/** The meter an instrument is created on: `id` tells scopes apart as the SDK does, `name` is the meter's name. */
export interface MeterScope {
  readonly id: string;
  readonly name: string;
}

/** Finds or creates the pipeline of an instrument (`kind` is the create method, e.g. `createCounter`). */
export type PipelineFactory = (scope: MeterScope, instrumentName: string, kind: string) => InstrumentPipeline;

// Each bound instrument does the same three steps around the real call. try/finally costs nothing in V8
// when nothing throws, and keeps the router right even if an SDK ever did throw. Counters and up-down
// counters share one class (`add`), histograms and gauges another (`record`): each call site then sees at
// most two SDK instrument classes, which V8 still handles as a fast polymorphic call.
class BoundAdder implements Counter, UpDownCounter {
  readonly inner: Counter | UpDownCounter;
  readonly pipeline: InstrumentPipeline;
  readonly router: PipelineRouter;
  constructor(inner: Counter | UpDownCounter, pipeline: InstrumentPipeline, router: PipelineRouter) {
    this.inner = inner;
    this.pipeline = pipeline;
    this.router = router;
  }
  add(value: number, attributes?: Attributes, context?: Context): void {
    const router = this.router;
    const previous = router.current;
    router.current = this.pipeline;
    try {
      this.inner.add(value, attributes, context);
    } finally {
      router.current = previous;
    }
  }
}

class BoundRecorder implements Histogram, Gauge {
  readonly inner: Histogram | Gauge;
  readonly pipeline: InstrumentPipeline;
  readonly router: PipelineRouter;
  constructor(inner: Histogram | Gauge, pipeline: InstrumentPipeline, router: PipelineRouter) {
    this.inner = inner;
    this.pipeline = pipeline;
    this.router = router;
  }
  record(value: number, attributes?: Attributes, context?: Context): void {
    const router = this.router;
    const previous = router.current;
    router.current = this.pipeline;
    try {
      this.inner.record(value, attributes, context);
    } finally {
      router.current = previous;
    }
  }
}

function scopeKey(name: string, version: string | undefined, options: MeterOptions | undefined): string {
  return `${name}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
}

class BoundMeter implements Meter {
  readonly #inner: Meter;
  readonly #scope: MeterScope;
  readonly #pipelines: PipelineFactory;
  readonly #router: PipelineRouter;
  readonly #batchWrappers = new Map<BatchObservableCallback, BatchObservableCallback>();

  constructor(inner: Meter, scope: MeterScope, pipelines: PipelineFactory, router: PipelineRouter) {
    this.#inner = inner;
    this.#scope = scope;
    this.#pipelines = pipelines;
    this.#router = router;
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    const pipeline = this.#pipelines(this.#scope, name, 'createCounter');
    return new BoundAdder(this.#inner.createCounter(name, options), pipeline, this.#router);
  }

  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    const pipeline = this.#pipelines(this.#scope, name, 'createUpDownCounter');
    return new BoundAdder(this.#inner.createUpDownCounter(name, options), pipeline, this.#router);
  }

  createHistogram(name: string, options?: MetricOptions): Histogram {
    const pipeline = this.#pipelines(this.#scope, name, 'createHistogram');
    return new BoundRecorder(this.#inner.createHistogram(name, options), pipeline, this.#router);
  }

  createGauge(name: string, options?: MetricOptions): Gauge {
    const pipeline = this.#pipelines(this.#scope, name, 'createGauge');
    return new BoundRecorder(this.#inner.createGauge(name, options), pipeline, this.#router);
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    const pipeline = this.#pipelines(this.#scope, name, 'createObservableGauge');
    const inner = this.#inner.createObservableGauge(name, options);
    return new BoundObservable(inner, pipeline, 'last', this.#router.processed);
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    const pipeline = this.#pipelines(this.#scope, name, 'createObservableCounter');
    const inner = this.#inner.createObservableCounter(name, options);
    return new BoundObservable(inner, pipeline, 'sum', this.#router.processed);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    const pipeline = this.#pipelines(this.#scope, name, 'createObservableUpDownCounter');
    const inner = this.#inner.createObservableUpDownCounter(name, options);
    return new BoundObservable(inner, pipeline, 'sum', this.#router.processed);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#inner.addBatchObservableCallback(this.#batchWrapper(callback), observables.map(innerObservable));
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#inner.removeBatchObservableCallback(this.#batchWrapper(callback), observables.map(innerObservable));
  }

  /** One wrapper per callback, so the SDK recognises it again on removal. */
  #batchWrapper(callback: BatchObservableCallback): BatchObservableCallback {
    let wrapper = this.#batchWrappers.get(callback);
    if (wrapper === undefined) {
      wrapper = wrapBatchCallback(callback);
      this.#batchWrappers.set(callback, wrapper);
    }
    return wrapper;
  }
}

/**
 * Wraps a MeterProvider so its instruments get their own yardstick state: synchronous instruments tell the
 * views who is recording, observable instruments send their callbacks' observations through their
 * pipeline before the SDK sees them. The wrapped provider is what the application should get (register it
 * as the global one).
 */
export function bindMeterProvider(
  provider: MeterProvider,
  pipelines: PipelineFactory,
  router: PipelineRouter,
): MeterProvider {
  const meters = new Map<string, Meter>();
  return {
    getMeter(name: string, version?: string, options?: MeterOptions): Meter {
      const key = scopeKey(name, version, options);
      let meter = meters.get(key);
      if (meter === undefined) {
        const scope = { id: key, name };
        meter = new BoundMeter(provider.getMeter(name, version, options), scope, pipelines, router);
        meters.set(key, meter);
      }
      return meter;
    },
  };
}
