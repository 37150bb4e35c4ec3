import type { Attributes, Meter, MeterProvider } from '@opentelemetry/api';
import { type IAttributesProcessor, InstrumentType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { diagViewsLogger, type ViewsLogger } from '../logging/views-logger.ts';
import { InstrumentPipeline } from '../pipeline/instrument-pipeline.ts';
import { bindMeterProvider, type MeterScope, type PipelineRouter } from '../pipeline/meter-binding.ts';
import { SeriesLimiter, sdkLimitAbove } from '../processors/series-limiter.ts';
import type { RedactionOptions } from '../redaction/redaction-processor.ts';
import { registerSelfMetrics, SELF_METRIC_NAMES } from '../telemetry/self-metrics.ts';
import type { PathTemplatingOptions } from '../templating/path-template.ts';
import { compileCardinalityRules } from './cardinality-rules.ts';

/**
 * Cardinality and attribute settings, the shape yardstick's config file uses. Patterns match instrument
 * names with `*` wildcards; where several match, the most specific wins (exact name, then most literal
 * characters).
 */
export interface CardinalityOptions {
  /** Series per metric, 100..10000; default 2000. */
  readonly defaultLimit?: number;
  /** Per-pattern series limits overriding `defaultLimit`. */
  readonly limits?: Readonly<Record<string, number>>;
  /** At most `maxValues` distinct values of `key` per matching instrument; later ones become `otherValue`. */
  readonly attributeBudgets?: ReadonlyArray<{
    readonly instrument: string;
    readonly key: string;
    readonly maxValues: number;
    readonly otherValue?: string;
  }>;
  /**
   * Sets without measurements for this long give their place up to new sets (synchronous instruments only:
   * sdk-metrics never forgets a set an observable reported). Off when absent. Use it with
   * delta temporality and readers collecting at least this often: with cumulative temporality
   * sdk-metrics keeps exporting a forgotten set (it never forgets one, opentelemetry-js#2997), and a reader
   * collecting less often than this could see a forgotten set and its successor in one cycle, so exported
   * series could exceed the limit.
   */
  readonly idleEvictionMs?: number;
  /** Only these keys are kept on matching instruments (lists of all matching patterns are merged). */
  readonly allow?: Readonly<Record<string, readonly string[]>>;
  /** These keys are dropped on matching instruments. */
  readonly deny?: Readonly<Record<string, readonly string[]>>;
  /** Secret, IP and e-mail redaction; on by default. */
  readonly redaction?: RedactionOptions;
  /** Raw-path templating (`/users/123` -> `/users/:id`); on by default, `false` turns it off. */
  readonly pathTemplating?: PathTemplatingOptions | false;
}

/** Runtime collaborators of {@link createYardstickViews}. */
export interface YardstickViewsContext {
  /** Where the first-overflow warning goes; default OTel's `diag`. */
  readonly logger?: ViewsLogger;
  /** Clock for idle eviction, for tests. */
  readonly now?: () => number;
  /**
   * Names (`*` patterns) of the meters that record yardstick's own telemetry, such as the telemetry
   * server's: their instruments are redacted even when `redaction.enabled` is false (with the configured
   * replacement and extra keys). Default {@link DEFAULT_OWN_METERS}; only instruments created through
   * {@link YardstickViews.bindMeterProvider} are known by meter.
   */
  readonly ownMeters?: readonly string[];
}

export { DEFAULT_OWN_METERS } from './cardinality-rules.ts';

/** Per-metric numbers, as the self-metrics report them. */
export interface CardinalityStats {
  readonly metric: string;
  readonly limit: number;
  readonly series: number;
  readonly overflowMeasurements: number;
  readonly evictedSeries: number;
  readonly cappedValues: ReadonlyArray<{ readonly key: string; readonly measurements: number }>;
}

/** What {@link createYardstickViews} returns. */
export interface YardstickViews {
  /** Views for `new MeterProvider({ views })`: exactly one matches each instrument. */
  readonly views: ViewOptions[];
  /**
   * Wraps the provider built with {@link views}: synchronous instruments created through the wrapper get
   * their own limiter and budgets. Hand the wrapper to the application (e.g. as the global provider).
   */
  bindMeterProvider(provider: MeterProvider): MeterProvider;
  /** Registers the self-metrics on `meter` (observable instruments, read at collection). */
  bindSelfMetrics(meter: Meter): void;
  /** Current per-metric numbers. */
  stats(): CardinalityStats[];
}

const INSTRUMENT_TYPES = Object.values(InstrumentType);
const SELF_METRIC_NAME_SET: ReadonlySet<string> = new Set(Object.values(SELF_METRIC_NAMES));

/**
 * Builds yardstick's views: spec-correct per-metric series limits with an overflow series, per-attribute
 * value budgets, allow/deny lists, redaction and path templating, for any sdk-metrics 3.x MeterProvider.
 *
 * sdk-metrics never tells an attributes processor which instrument is recording, so per-instrument state
 * needs the instruments to say so: create them through {@link YardstickViews.bindMeterProvider}. Instruments
 * created on the raw provider still get the stateless rewrites (redaction, templating, lists for `*`) and
 * the SDK's own limit, set to the highest configured limit + 1.
 *
 * @example
 * ```ts
 * const yardstick = createYardstickViews({ defaultLimit: 2000, limits: { 'http.*': 500 } });
 * const provider = new MeterProvider({ readers: [reader], views: yardstick.views });
 * const meterProvider = yardstick.bindMeterProvider(provider);
 * metrics.setGlobalMeterProvider(meterProvider);
 * yardstick.bindSelfMetrics(meterProvider.getMeter('yardstick'));
 * ```
 */
export function createYardstickViews(
  options: CardinalityOptions = {},
  context: YardstickViewsContext = {},
): YardstickViews {
  const rules = compileCardinalityRules(options, context);
  const logger = context.logger ?? diagViewsLogger;

  const warnFirstOverflow = (name: string) => (limiter: SeriesLimiter) => {
    try {
      logger.warn(
        { metric: name, limit: limiter.limit, topKeys: limiter.topKeys(3) },
        'cardinality limit reached: new attribute sets of this metric now go to the otel.metric.overflow series',
      );
    } catch {
      // A failing logger must not break recording.
    }
  };

  const pipelines = new Map<string, InstrumentPipeline>();
  const pipelineFor = (scope: MeterScope, instrumentName: string, kind: string): InstrumentPipeline => {
    // sdk-metrics shares one stream per meter, exact instrument name and kind; so does the state here.
    const id = `${scope.id}\u0000${instrumentName}\u0000${kind}`;
    let pipeline = pipelines.get(id);
    if (pipeline === undefined) {
      const limit = rules.limitFor(instrumentName);
      pipeline = new InstrumentPipeline({
        name: instrumentName,
        transforms: rules.transformsFor(scope.name, instrumentName),
        budgets: rules.budgetsFor(instrumentName),
        limiter: new SeriesLimiter({
          limit,
          // Not for observables: the SDK remembers every set they ever reported and overflows on its own past
          // the limit, so a place freed here would send a new set into the SDK's overflow, not its own series.
          ...(options.idleEvictionMs === undefined || kind.startsWith('createObservable')
            ? {}
            : { idleEvictionMs: options.idleEvictionMs }),
          ...(context.now === undefined ? {} : { now: context.now }),
          onFirstOverflow: warnFirstOverflow(instrumentName),
        }),
        // Room for every admitted set plus some overflowing ones; measured ~400 B per decision at worst.
        maxCachedDecisions: limit + 1024,
      });
      pipelines.set(id, pipeline);
    }
    return pipeline;
  };

  const router: PipelineRouter = { current: undefined, processed: new WeakSet() };
  // Without an instrument, only what applies to every name can be applied.
  const unrouted = rules.unroutedTransforms;
  const processor: IAttributesProcessor = {
    process(incoming: Attributes): Attributes {
      const pipeline = router.current;
      try {
        if (pipeline !== undefined) return pipeline.process(incoming);
        // Observations of bound observables arrive here already processed.
        if (router.processed.has(incoming)) return incoming;
        let attributes = incoming;
        for (const transform of unrouted) attributes = transform(attributes);
        return attributes;
      } catch {
        // Recording never throws; an unexpected failure records the measurement unchanged.
        return incoming;
      }
    },
  };

  const maxLimit = rules.maxLimit;
  // One view per instrument type, so exactly one matches each instrument (every matching view would make
  // another stream).
  const views: ViewOptions[] = INSTRUMENT_TYPES.map((instrumentType) => ({
    instrumentName: '*',
    instrumentType,
    attributesProcessors: [processor],
    aggregationCardinalityLimit: sdkLimitAbove(maxLimit),
  }));

  // The self-metrics get pipelines too when created on a bound meter; they do not report on themselves.
  const reported = () => [...pipelines.values()].filter((p) => !SELF_METRIC_NAME_SET.has(p.name));

  return {
    views,
    bindMeterProvider: (provider) => bindMeterProvider(provider, pipelineFor, router),
    bindSelfMetrics: (meter) =>
      registerSelfMetrics(meter, () =>
        reported().map((p) => ({
          name: p.name,
          overflowMeasurements: p.limiter.overflowMeasurements,
          series: p.limiter.seriesCount,
          capped: p.budgets.map((b) => ({ key: b.key, measurements: b.cappedMeasurements })),
        })),
      ),
    stats: () =>
      reported().map((p) => ({
        metric: p.name,
        limit: p.limiter.limit,
        series: p.limiter.seriesCount,
        overflowMeasurements: p.limiter.overflowMeasurements,
        evictedSeries: p.limiter.evictedSeries,
        cappedValues: p.budgets.map((b) => ({ key: b.key, measurements: b.cappedMeasurements })),
      })),
  };
}
