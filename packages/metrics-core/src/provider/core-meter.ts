/**
 * A meter of the core: creates instruments behind the `@opentelemetry/api` `Meter` interface, each with
 * the streams its views ask for, and registers them with the provider for collection.
 */
import {
  type BatchObservableCallback,
  type Counter,
  createNoopMeter,
  type Gauge,
  type Histogram,
  type Meter,
  type MetricOptions,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
  type UpDownCounter,
  ValueType,
} from '@opentelemetry/api';
import { ObservableInstrument } from '../instruments/observable-instruments.ts';
import {
  CoreCounter,
  CoreGauge,
  CoreHistogram,
  CoreUpDownCounter,
  type RecordingCell,
} from '../instruments/sync-instruments.ts';
import type { InstrumentationScope, InstrumentKind } from '../model/metric-data.ts';
import type { SeriesTable } from '../series/series-table.ts';
import { noopSummary, type Summary } from '../summaries/summary.ts';
import type { SummaryOptions } from '../summaries/summary-options.ts';
import type { MeterRegistry } from './meter-registry.ts';

// The OTel API's instrument name syntax.
const VALID_NAME = /^[a-z][a-z0-9_.\-/]{0,254}$/i;
const noopMeter = createNoopMeter();

/** A meter. */
export class CoreMeter implements Meter {
  readonly scope: InstrumentationScope;
  readonly #registry: MeterRegistry;
  readonly #instruments = new Map<string, unknown>();

  constructor(scope: InstrumentationScope, registry: MeterRegistry) {
    this.scope = scope;
    this.#registry = registry;
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return (
      this.#sync(
        name,
        'COUNTER',
        options,
        (tables, integer) =>
          new CoreCounter(
            name,
            tables as never,
            integer,
            this.#registry.reportInvalid,
            this.#registry.exemplarSampler,
          ),
      ) ?? noopMeter.createCounter(name)
    );
  }

  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return (
      this.#sync(
        name,
        'UP_DOWN_COUNTER',
        options,
        (tables, integer) =>
          new CoreUpDownCounter(
            name,
            tables as never,
            integer,
            this.#registry.reportInvalid,
            this.#registry.exemplarSampler,
          ),
      ) ?? noopMeter.createUpDownCounter(name)
    );
  }

  createHistogram(name: string, options?: MetricOptions): Histogram {
    return (
      this.#sync(
        name,
        'HISTOGRAM',
        options,
        (tables, integer) =>
          new CoreHistogram(
            name,
            tables as SeriesTable<RecordingCell>[],
            integer,
            this.#registry.reportInvalid,
            this.#registry.exemplarSampler,
          ),
      ) ?? noopMeter.createHistogram(name)
    );
  }

  createGauge(name: string, options?: MetricOptions): Gauge {
    return (
      this.#sync(
        name,
        'GAUGE',
        options,
        (tables, integer) =>
          new CoreGauge(
            name,
            tables as never,
            integer,
            this.#registry.reportInvalid,
            this.#registry.exemplarSampler,
          ),
      ) ?? noopMeter.createGauge(name)
    );
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.#observable(name, 'OBSERVABLE_COUNTER', options) ?? noopMeter.createObservableCounter(name);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return (
      this.#observable(name, 'OBSERVABLE_UP_DOWN_COUNTER', options) ??
      noopMeter.createObservableUpDownCounter(name)
    );
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.#observable(name, 'OBSERVABLE_GAUGE', options) ?? noopMeter.createObservableGauge(name);
  }

  /**
   * A summary: yardstick's extension instrument, not part of the OTel meter API (see `createSummary`).
   * The same name, unit and description give the same summary.
   */
  createSummary(name: string, options: SummaryOptions = {}): Summary {
    if (!this.#validName(name)) return noopSummary();
    const key = identity(name, 'SUMMARY', options);
    const existing = this.#instruments.get(key);
    if (existing !== undefined) return existing as Summary;
    const summary = this.#registry.createSummary(this.scope, name, options);
    this.#instruments.set(key, summary);
    return summary;
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#registry.addBatchCallback(callback, observables);
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#registry.removeBatchCallback(callback, observables);
  }

  #sync<T>(
    name: string,
    kind: InstrumentKind,
    options: MetricOptions | undefined,
    build: (tables: SeriesTable<never>[], integer: boolean) => T,
  ): T | undefined {
    if (!this.#validName(name)) return undefined;
    const key = identity(name, kind, options);
    const existing = this.#instruments.get(key);
    if (existing !== undefined) return existing as T;
    const tables = this.#registry.createSyncStreams(this.scope, name, kind, options ?? {});
    const instrument = build(tables as SeriesTable<never>[], options?.valueType === ValueType.INT);
    this.#instruments.set(key, instrument);
    return instrument;
  }

  #observable(
    name: string,
    kind: InstrumentKind,
    options: MetricOptions | undefined,
  ): ObservableInstrument | undefined {
    if (!this.#validName(name)) return undefined;
    const key = identity(name, kind, options);
    const existing = this.#instruments.get(key);
    if (existing !== undefined) return existing as ObservableInstrument;
    const streams = this.#registry.createObservableStreams(this.scope, name, kind, options ?? {});
    const instrument = new ObservableInstrument(
      name,
      kind,
      streams,
      options?.valueType === ValueType.INT,
      this.#registry,
    );
    this.#registry.addObservable(instrument);
    this.#instruments.set(key, instrument);
    return instrument;
  }

  #validName(name: string): boolean {
    if (VALID_NAME.test(name)) return true;
    this.#registry.warn(
      `invalid instrument name ${JSON.stringify(name)} on meter ${JSON.stringify(this.scope.name)}: names start with a letter and hold at most 255 letters, digits, '_', '.', '-' and '/'; the instrument records nothing`,
    );
    return false;
  }
}

/** Instruments with the same identity (name case-insensitively, kind, unit, description, value type) are one. */
function identity(
  name: string,
  kind: InstrumentKind | 'SUMMARY',
  options: Pick<MetricOptions, 'unit' | 'description' | 'valueType'> | undefined,
): string {
  return JSON.stringify([
    name.toLowerCase(),
    kind,
    options?.unit ?? '',
    options?.description ?? '',
    options?.valueType ?? ValueType.DOUBLE,
  ]);
}
