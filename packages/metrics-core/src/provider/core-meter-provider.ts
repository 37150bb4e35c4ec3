/**
 * The core's `MeterProvider`: meters by scope, and readers that collect everything recorded so far in the
 * OTel data model, cumulative or delta per instrument kind.
 */
import { diag, type Meter, type MeterOptions, type MeterProvider } from '@opentelemetry/api';
import type { HistogramAggregationDefault } from '../aggregations/resolve-aggregation.ts';
import {
  cumulativeTemporality,
  type ReaderSlot,
  type TemporalitySelector,
} from '../collection/reader-slot.ts';
import type { ExemplarFilter } from '../exemplars/exemplar-filter.ts';
import type { AttributePolicy } from '../series/series-table.ts';
import type { SummaryScopeMetrics } from '../summaries/summary-data.ts';
import type { CoreView } from '../views/view.ts';
import { CoreMeter } from './core-meter.ts';
import {
  type CoreCollection,
  type InstrumentInfo,
  MeterRegistry,
  type OverflowListener,
  type StreamStats,
} from './meter-registry.ts';

/** Options of {@link CoreMeterProvider}. */
export interface CoreMeterProviderOptions {
  readonly views?: readonly CoreView[] | undefined;
  /**
   * Distinct attribute sets per stream before measurements go to the overflow series (default 2000), or a
   * function choosing it per instrument.
   */
  readonly cardinalityLimit?: number | ((instrument: InstrumentInfo) => number) | undefined;
  /** Series with no measurement for this long are forgotten at the next collection. */
  readonly idleEvictionMs?: number | undefined;
  /** Aggregation of histograms no view configures (default `'explicit'`). */
  readonly histogramAggregation?: HistogramAggregationDefault | undefined;
  /**
   * Which measurements of synchronous instruments may become exemplars (default `'trace_based'`: those made
   * in a sampled span, from the context given to `add`/`record` or the active one). Explicit histograms keep
   * the last measurement per bucket, other aggregations a uniform sample (one, twenty for exponential
   * histograms), as the OTel SDK specification's defaults; collected points carry them as `exemplars`.
   * `'always_off'` keeps exemplar code off the recording path entirely.
   */
  readonly exemplarFilter?: ExemplarFilter | undefined;
  /** Per-instrument attribute rewriting (redaction, budgets, key filters), run once per distinct set. */
  readonly attributePolicy?: ((instrument: InstrumentInfo) => AttributePolicy | undefined) | undefined;
  /** Where warnings go (invalid values, names, views); default OTel's `diag.warn`. */
  readonly warn?: ((message: string) => void) | undefined;
  /** Called once per stream when its first attribute set goes to the overflow series. */
  readonly onFirstOverflow?: OverflowListener | undefined;
}

/** A reader's handle: collect whenever you like. */
export interface CoreReader {
  /** Everything recorded, in the OTel data model. Never rejects. */
  collect(options?: { readonly timeoutMillis?: number }): Promise<CoreCollection>;
}

const DEFAULT_CARDINALITY_LIMIT = 2000;
const DEFAULT_CALLBACK_TIMEOUT_MS = 10_000;

/**
 * yardstick's recording core behind the standard meter API.
 *
 * @example
 * ```ts
 * const provider = new CoreMeterProvider({ cardinalityLimit: 1000 });
 * const reader = provider.addReader();
 * provider.getMeter('checkout').createCounter('orders.placed').add(1, { 'payment.method': 'card' });
 * const { scopeMetrics } = await reader.collect();
 * ```
 */
export class CoreMeterProvider implements MeterProvider {
  readonly #registry: MeterRegistry;
  readonly #meters = new Map<string, CoreMeter>();

  constructor(options: CoreMeterProviderOptions = {}) {
    this.#registry = new MeterRegistry({
      views: options.views ?? [],
      cardinalityLimit: options.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
      idleEvictionMs: options.idleEvictionMs,
      histogramAggregation: options.histogramAggregation ?? 'explicit',
      exemplarFilter: options.exemplarFilter ?? 'trace_based',
      attributePolicy: options.attributePolicy,
      warn: options.warn ?? ((message) => diag.warn(message)),
      onFirstOverflow: options.onFirstOverflow,
    });
  }

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    const key = JSON.stringify([name, version ?? '', options?.schemaUrl ?? '']);
    let meter = this.#meters.get(key);
    if (meter === undefined) {
      const scope = {
        name,
        ...(version === undefined ? {} : { version }),
        ...(options?.schemaUrl === undefined ? {} : { schemaUrl: options.schemaUrl }),
      };
      meter = new CoreMeter(scope, this.#registry);
      this.#meters.set(key, meter);
    }
    return meter;
  }

  /**
   * Every summary's series (yardstick's extension instrument; see `createSummary`): count, sum and the
   * quantiles of its window now. Summaries are not in what readers collect: sdk-metrics has no summary point.
   */
  collectSummaries(): Promise<SummaryScopeMetrics[]> {
    return this.#registry.collectSummaries();
  }

  /** Current figures of every stream's series (limit, series, overflow, eviction), for self-metrics. */
  stats(): IterableIterator<StreamStats> {
    return this.#registry.stats();
  }

  /**
   * Registers a reader, with the aggregation it reads histograms with when no view chooses one (default: the
   * provider's). Register readers before creating instruments: a histogram keeps the aggregations of the
   * readers known at its creation, and a delta reader sees only what arrives after its registration.
   */
  addReader(
    temporality: TemporalitySelector = cumulativeTemporality,
    options: { readonly histogramAggregation?: HistogramAggregationDefault | undefined } = {},
  ): CoreReader {
    const slot: ReaderSlot = this.#registry.addReader(temporality, options.histogramAggregation);
    const registry = this.#registry;
    return {
      collect: (options) => registry.collect(slot, options?.timeoutMillis ?? DEFAULT_CALLBACK_TIMEOUT_MS),
    };
  }
}
