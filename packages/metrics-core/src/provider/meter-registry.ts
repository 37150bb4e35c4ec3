/**
 * The provider's state: every stream by meter, the observable instruments and batch callbacks, the
 * registered readers, and collection. Meters create streams through it; readers collect through it.
 */
import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  MetricOptions,
  Observable,
} from '@opentelemetry/api';
import {
  type AnyAggregator,
  type HistogramAggregationDefault,
  resolveAggregation,
} from '../aggregations/resolve-aggregation.ts';
import { LoopSlice } from '../collection/loop-slice.ts';
import { type CollectableStream, SyncMetricStream } from '../collection/metric-stream.ts';
import { ObservableMetricStream, ObservedCell } from '../collection/observable-stream.ts';
import { ReaderSlot, type TemporalitySelector } from '../collection/reader-slot.ts';
import {
  type ExemplarFilter,
  type ExemplarSampler,
  exemplarSampler,
  refreshGlobalApi,
} from '../exemplars/exemplar-filter.ts';
import { SeriesExemplars } from '../exemplars/series-exemplars.ts';
import { ObservableInstrument } from '../instruments/observable-instruments.ts';
import { nowHrTime } from '../model/hr-time.ts';
import type {
  InstrumentationScope,
  InstrumentKind,
  MetricDescriptor,
  ScopeMetrics,
} from '../model/metric-data.ts';
import type { SeriesCell } from '../series/series-cell.ts';
import { type AttributePolicy, SeriesTable } from '../series/series-table.ts';
import { CoreSummary, type Summary } from '../summaries/summary.ts';
import type { SummaryScopeMetrics } from '../summaries/summary-data.ts';
import {
  type ResolvedSummaryOptions,
  resolveSummaryOptions,
  type SummaryOptions,
} from '../summaries/summary-options.ts';
import { SummaryCell, SummaryStream } from '../summaries/summary-stream.ts';
import { SummaryStreams } from '../summaries/summary-streams.ts';
import { type CoreView, viewMatches } from '../views/view.ts';

/** Settings of the core that apply to every instrument. */
export interface CoreSettings {
  readonly views: readonly CoreView[];
  /** Distinct attribute sets per stream before the overflow series; a view may set its own. */
  readonly cardinalityLimit: number | ((instrument: InstrumentInfo) => number);
  readonly idleEvictionMs: number | undefined;
  readonly histogramAggregation: HistogramAggregationDefault;
  /** Which measurements of synchronous instruments may become exemplars. */
  readonly exemplarFilter: ExemplarFilter;
  /** The attribute policy of an instrument (redaction, budgets, key filters), decided once per stream. */
  readonly attributePolicy: ((instrument: InstrumentInfo) => AttributePolicy | undefined) | undefined;
  readonly warn: (message: string) => void;
  /** Called once per stream when its first attribute set goes to the overflow series. */
  readonly onFirstOverflow: OverflowListener | undefined;
}

/** The kind of a stream: an OTel instrument kind, or `SUMMARY` for yardstick's summaries. */
export type StreamKind = InstrumentKind | 'SUMMARY';

/** What an attribute policy factory learns about an instrument. */
export interface InstrumentInfo {
  readonly name: string;
  readonly kind: StreamKind;
  readonly unit: string;
  readonly meterName: string;
}

/** Told when a stream's first attribute set goes to the overflow series, with the admitted sets. */
export type OverflowListener = (
  instrument: InstrumentInfo,
  limit: number,
  forEachSeries: (visit: (attributes: Attributes) => void) => void,
) => void;

/** Figures of one stream's series, for self-metrics and `/v1/stats`. */
export interface StreamStats {
  readonly meterName: string;
  /** The instrument's name (before any view renamed the stream). */
  readonly instrument: string;
  readonly kind: StreamKind;
  readonly cardinalityLimit: number;
  /** Admitted series, the overflow series left out. */
  readonly series: number;
  readonly overflowMeasurements: number;
  readonly evictedSeries: number;
  /** Every live series' attributes with the measurements it holds. */
  forEachSeries(visit: (attributes: Attributes, measurements: number) => void): void;
}

/** The result of one collection. */
export interface CoreCollection {
  readonly scopeMetrics: ScopeMetrics[];
  /** Callbacks that threw or timed out; the rest of the collection is complete. */
  readonly errors: unknown[];
}

/** What a new stream is made of. */
interface StreamParts {
  readonly descriptor: MetricDescriptor;
  readonly aggregator: AnyAggregator;
  readonly table: SeriesTable<SeriesCell>;
  readonly group: HistogramAggregationDefault | undefined;
}

interface ScopeEntry {
  readonly scope: InstrumentationScope;
  readonly streams: CollectableStream[];
}

/** The provider's registry of streams, callbacks and readers. */
export class MeterRegistry {
  readonly #settings: CoreSettings;
  readonly #scopes = new Map<string, ScopeEntry>();
  readonly #observables: ObservableInstrument[] = [];
  readonly #batch: Array<{ callback: BatchObservableCallback; instruments: Set<ObservableInstrument> }> = [];
  readonly #readers: ReaderSlot[] = [];
  readonly #tables: Array<{
    meterName: string;
    instrument: string;
    kind: StreamKind;
    table: SeriesTable<SeriesCell>;
  }> = [];
  readonly #summaries = new SummaryStreams();
  #deltaSlots = 0;
  #collectionId = 0;
  #lastCollection: Promise<unknown> = Promise.resolve();

  /** The exemplar filter's sampler, shared by every synchronous instrument; undefined for `always_off`. */
  readonly exemplarSampler: ExemplarSampler | undefined;

  constructor(settings: CoreSettings) {
    this.#settings = settings;
    this.exemplarSampler = exemplarSampler(settings.exemplarFilter);
    refreshGlobalApi();
  }

  readonly reportInvalid = (instrument: string, value: unknown, why: string): void => {
    this.#settings.warn(
      `instrument ${instrument}: dropped ${String(value)}: ${why} (reported once per instrument)`,
    );
  };

  warn(message: string): void {
    this.#settings.warn(message);
  }

  /** Registers a reader; its temporality selector is read once per stream and collection. */
  addReader(
    temporality: TemporalitySelector,
    histogramAggregation?: HistogramAggregationDefault,
  ): ReaderSlot {
    const slot = new ReaderSlot(
      temporality,
      this.#deltaSlots,
      histogramAggregation ?? this.#settings.histogramAggregation,
    );
    if (slot.deltaSlot >= 0) this.#deltaSlots++;
    this.#readers.push(slot);
    return slot;
  }

  createSyncStreams(
    scope: InstrumentationScope,
    name: string,
    kind: InstrumentKind,
    options: MetricOptions,
  ): SeriesTable<SeriesCell>[] {
    const tables: SeriesTable<SeriesCell>[] = [];
    for (const { descriptor, aggregator, table, group } of this.#streamsFor(
      scope,
      name,
      kind,
      options,
      (a) => a.create,
      this.exemplarSampler !== undefined,
    )) {
      this.#scope(scope).streams.push(
        new SyncMetricStream(descriptor, kind, table, aggregator, kind === 'COUNTER', group),
      );
      tables.push(table);
    }
    return tables;
  }

  createObservableStreams(
    scope: InstrumentationScope,
    name: string,
    kind: InstrumentKind,
    options: MetricOptions,
  ): ObservableMetricStream[] {
    const streams: ObservableMetricStream[] = [];
    const createObserved =
      () => (attributes: Attributes, startTime: ReturnType<typeof nowHrTime>, nowMs: number) =>
        new ObservedCell(attributes, startTime, nowMs);
    for (const { descriptor, table } of this.#streamsFor(scope, name, kind, options, createObserved, false)) {
      const stream = new ObservableMetricStream(
        descriptor,
        kind,
        table as unknown as SeriesTable<ObservedCell>,
      );
      this.#scope(scope).streams.push(stream);
      streams.push(stream);
    }
    return streams;
  }

  /**
   * A summary (yardstick's extension instrument): its series follow the instrument's attribute policy,
   * series limit and idle eviction like any stream's; views do not apply (they select OTel instruments).
   */
  createSummary(scope: InstrumentationScope, name: string, options: SummaryOptions): Summary {
    const resolved: ResolvedSummaryOptions = resolveSummaryOptions(options, (m) =>
      this.warn(`summary ${name}: ${m}`),
    );
    const table = this.#seriesTable(
      { name, kind: 'SUMMARY', unit: resolved.unit, meterName: scope.name },
      {},
      (attributes, startTime, nowMs) => new SummaryCell(attributes, startTime, nowMs, resolved),
      true,
      undefined,
    );
    this.#summaries.add(scope, new SummaryStream(name, table, resolved));
    return new CoreSummary(name, table, (value, why) => this.reportInvalid(name, value, why));
  }

  /** Every summary's series now: counts, sums and the quantiles of their windows. */
  collectSummaries(): Promise<SummaryScopeMetrics[]> {
    return this.#summaries.collect();
  }

  /** Current figures of every stream. */
  *stats(): IterableIterator<StreamStats> {
    for (const { meterName, instrument, kind, table } of this.#tables) {
      yield {
        meterName,
        instrument,
        kind,
        cardinalityLimit: table.cardinalityLimit,
        series: table.admittedSeries,
        overflowMeasurements: table.overflowMeasurements,
        evictedSeries: table.evictedSeries,
        forEachSeries(visit) {
          for (const cell of table.cells()) visit(cell.attributes, cell.updates);
        },
      };
    }
  }

  /** Registers an observable instrument for its callbacks. */
  addObservable(instrument: ObservableInstrument): void {
    this.#observables.push(instrument);
  }

  addBatchCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const instruments = new Set(
      observables.filter((o): o is ObservableInstrument => o instanceof ObservableInstrument),
    );
    if (instruments.size === 0) return;
    this.#batch.push({ callback, instruments });
  }

  removeBatchCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const wanted = new Set(observables);
    const at = this.#batch.findIndex(
      (entry) =>
        entry.callback === callback &&
        entry.instruments.size === wanted.size &&
        [...entry.instruments].every((i) => wanted.has(i)),
    );
    if (at >= 0) this.#batch.splice(at, 1);
  }

  /**
   * Collects every stream for `reader`: runs the observable callbacks (each bounded by `timeoutMs`), then
   * reads every stream. Never rejects: callback failures are returned in `errors`.
   */
  collect(reader: ReaderSlot, timeoutMs: number): Promise<CoreCollection> {
    // One collection at a time: observations of an interleaved collection would land in the wrong one.
    const run = this.#lastCollection.then(() => this.#collectNow(reader, timeoutMs));
    // Settled to nothing: keeping `run` itself would keep the last collection's data reachable.
    this.#lastCollection = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #collectNow(reader: ReaderSlot, timeoutMs: number): Promise<CoreCollection> {
    const collectionId = ++this.#collectionId;
    refreshGlobalApi();
    const errors = await this.#runCallbacks(collectionId, timeoutMs);
    const endTime = nowHrTime();
    const nowMs = Date.now();
    const scopeMetrics: ScopeMetrics[] = [];
    const slice = new LoopSlice();
    for (const { scope, streams } of this.#scopes.values()) {
      const metrics = [];
      for (const stream of streams) {
        if (stream.readerGroup !== undefined && stream.readerGroup !== reader.histogramAggregation) continue;
        if (slice.due) await slice.turn();
        const data = await stream.collect(reader, endTime, nowMs, this.#deltaSlots, collectionId, slice);
        if (data !== undefined) metrics.push(data);
      }
      if (metrics.length > 0) scopeMetrics.push({ scope, metrics });
    }
    reader.lastCollection = endTime;
    return { scopeMetrics, errors };
  }

  async #runCallbacks(collectionId: number, timeoutMs: number): Promise<unknown[]> {
    const errors: unknown[] = [];
    const running: Promise<unknown>[] = [];
    const run = (call: () => unknown) => {
      try {
        const result = call();
        if (result instanceof Promise) running.push(result.catch((error: unknown) => errors.push(error)));
      } catch (error) {
        errors.push(error);
      }
    };
    for (const instrument of this.#observables) {
      if (instrument.callbacks.size === 0) continue;
      const result = instrument.resultFor(collectionId);
      for (const callback of instrument.callbacks) run(() => callback(result));
    }
    for (const { callback, instruments } of this.#batch) {
      const result: BatchObservableResult = {
        observe: (observable, value, attributes) => {
          if (observable instanceof ObservableInstrument && instruments.has(observable))
            observable.observe(value, attributes, collectionId);
        },
      };
      run(() => callback(result));
    }
    if (running.length === 0) return errors;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.all(running), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      errors.push(new Error(`observable callbacks did not finish within ${timeoutMs} ms`));
    return errors;
  }

  #scope(scope: InstrumentationScope): ScopeEntry {
    const key = JSON.stringify([scope.name, scope.version ?? '', scope.schemaUrl ?? '']);
    let entry = this.#scopes.get(key);
    if (entry === undefined) {
      entry = { scope, streams: [] };
      this.#scopes.set(key, entry);
    }
    return entry;
  }

  *#streamsFor(
    scope: InstrumentationScope,
    name: string,
    kind: InstrumentKind,
    options: MetricOptions,
    create: (
      aggregator: AnyAggregator,
    ) => (attributes: Attributes, startTime: ReturnType<typeof nowHrTime>, nowMs: number) => SeriesCell,
    withExemplars: boolean,
  ): Generator<StreamParts> {
    const settings = this.#settings;
    const unit = options.unit ?? '';
    const subject = {
      name,
      kind,
      unit,
      meterName: scope.name,
      meterVersion: scope.version,
      meterSchemaUrl: scope.schemaUrl,
    };
    const matched = settings.views.filter((view) => viewMatches(view, subject));
    const views: readonly CoreView[] = matched.length > 0 ? matched : [{}];
    for (const view of views) {
      // A histogram no view configures is aggregated as each reader asks (explicit or exponential): one
      // stream per distinct choice among the readers, each collected by its own readers only.
      const groups: Array<HistogramAggregationDefault | undefined> =
        kind === 'HISTOGRAM' && (view.aggregation?.type ?? 'default') === 'default'
          ? this.#readerHistogramAggregations()
          : [undefined];
      for (const [index, group] of groups.entries()) {
        const stream = this.#stream(
          scope,
          name,
          kind,
          options,
          view,
          group,
          create,
          index === 0,
          withExemplars,
        );
        if (stream !== undefined) yield stream;
      }
    }
  }

  /** The distinct default histogram aggregations of the registered readers (the provider's when none). */
  #readerHistogramAggregations(): HistogramAggregationDefault[] {
    const chosen = new Set(this.#readers.map((reader) => reader.histogramAggregation));
    return chosen.size === 0 ? [this.#settings.histogramAggregation] : [...chosen];
  }

  #stream(
    scope: InstrumentationScope,
    name: string,
    kind: InstrumentKind,
    options: MetricOptions,
    view: CoreView,
    group: HistogramAggregationDefault | undefined,
    create: (
      aggregator: AnyAggregator,
    ) => (attributes: Attributes, startTime: ReturnType<typeof nowHrTime>, nowMs: number) => SeriesCell,
    counted: boolean,
    withExemplars: boolean,
  ): StreamParts | undefined {
    const settings = this.#settings;
    const unit = options.unit ?? '';
    const aggregator = resolveAggregation(
      view.aggregation,
      kind,
      options,
      group ?? settings.histogramAggregation,
      (m) => this.warn(`instrument ${name}: ${m}`),
    );
    if (aggregator === 'drop') return undefined;
    const descriptor: MetricDescriptor = {
      name: view.name ?? name,
      description: view.description ?? options.description ?? '',
      unit,
      valueType: options.valueType ?? 1,
    };
    const table = this.#seriesTable(
      { name, kind, unit, meterName: scope.name },
      view,
      create(aggregator),
      counted,
      withExemplars ? new SeriesExemplars(() => aggregator.createReservoir()) : undefined,
    );
    return { descriptor, aggregator, table, group };
  }

  /**
   * The series table of a stream, with the instrument's attribute policy, series limit (the view's, else the
   * settings'), idle eviction and overflow warning. `counted`: the stream whose figures `stats()` reports
   * (one stream per reader group records the same measurements: the figures count the first only).
   */
  #seriesTable<C extends SeriesCell>(
    info: InstrumentInfo,
    view: CoreView,
    create: (attributes: Attributes, startTime: ReturnType<typeof nowHrTime>, nowMs: number) => C,
    counted: boolean,
    exemplars: SeriesExemplars | undefined,
  ): SeriesTable<C> {
    const settings = this.#settings;
    const policy = settings.attributePolicy?.(info);
    const limitSetting = settings.cardinalityLimit;
    const limit =
      view.cardinalityLimit ?? (typeof limitSetting === 'number' ? limitSetting : limitSetting(info));
    const table = new SeriesTable<C>({
      create,
      cardinalityLimit: limit,
      // One warning per instrument, from the stream its figures are counted for.
      onFirstOverflow: counted
        ? (forEachSeries) => settings.onFirstOverflow?.(info, limit, forEachSeries)
        : undefined,
      attributeKeys: view.attributeKeys,
      policy,
      idleEvictionMs: settings.idleEvictionMs,
      onPolicyError: (error) =>
        this.warn(`instrument ${info.name}: attribute policy failed: ${String(error)}`),
      exemplars,
    });
    if (counted) {
      this.#tables.push({
        meterName: info.meterName,
        instrument: info.name,
        kind: info.kind,
        table: table as unknown as SeriesTable<SeriesCell>,
      });
    }
    return table;
  }
}
