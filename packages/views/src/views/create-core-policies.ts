/**
 * yardstick's cardinality and attribute rules for the metrics core (`@yardstick/metrics-core`): the same
 * configuration as {@link createYardstickViews}, as the core's per-instrument attribute policy and series
 * limit. The core keeps the limit, the overflow series and idle eviction in its own series table; this
 * supplies the rewrites (key filters, redaction, path templating, value budgets) and the self-metrics.
 * Structural types only: views does not depend on the core.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { diagViewsLogger } from '../logging/views-logger.ts';
import { withAttribute } from '../pipeline/attribute-transform.ts';
import { topKeys } from '../processors/series-limiter.ts';
import type { ValueBudget } from '../processors/value-budget.ts';
import { registerSelfMetrics, SELF_METRIC_NAMES, type SelfMetricRow } from '../telemetry/self-metrics.ts';
import { compileCardinalityRules } from './cardinality-rules.ts';
import type { CardinalityOptions, YardstickViewsContext } from './create-yardstick-views.ts';

/** An instrument, as the core describes it to a policy factory. */
export interface PolicyInstrument {
  readonly name: string;
  readonly kind: string;
  readonly meterName: string;
}

/** One stream's figures, as the core reports them (`CoreMeterProvider.stats()`). */
export interface PolicyStreamStats {
  readonly meterName: string;
  readonly instrument: string;
  readonly kind: string;
  readonly cardinalityLimit: number;
  readonly series: number;
  readonly overflowMeasurements: number;
  readonly evictedSeries: number;
  forEachSeries(visit: (attributes: Attributes, measurements: number) => void): void;
}

/** What {@link createCorePolicies} returns: the options to hand to `new CoreMeterProvider(...)`, and more. */
export interface CorePolicies {
  /** The attribute rewrites of an instrument; called once per stream, the result once per distinct set. */
  attributePolicy(instrument: PolicyInstrument): (attributes: Attributes) => Attributes;
  /** The series limit of an instrument. */
  cardinalityLimit(instrument: PolicyInstrument): number;
  readonly idleEvictionMs: number | undefined;
  /**
   * Logs the first overflow of a metric (once per metric), naming the keys with the most distinct values
   * among the admitted sets that `forEachSeries` visits.
   */
  onFirstOverflow(
    instrument: PolicyInstrument,
    limit: number,
    forEachSeries: (visit: (attributes: Attributes) => void) => void,
  ): void;
  /**
   * Registers the self-metrics (`yardstick_cardinality_series`, `..._overflow_measurements_total`,
   * `yardstick_attribute_values_capped_total`) on `meter`, read from the core's stream figures.
   */
  bindSelfMetrics(meter: Meter, stats: () => Iterable<PolicyStreamStats>): void;
}

const SELF_METRIC_NAME_SET: ReadonlySet<string> = new Set(Object.values(SELF_METRIC_NAMES));

/**
 * Compiles the cardinality configuration for the metrics core.
 * @throws ViewsError `VIEWS_CONFIG_INVALID` naming the setting at fault
 *
 * @example
 * ```ts
 * const policies = createCorePolicies({ defaultLimit: 2000, limits: { 'http.*': 500 } });
 * const provider = new CoreMeterProvider({
 *   attributePolicy: (i) => policies.attributePolicy(i),
 *   cardinalityLimit: (i) => policies.cardinalityLimit(i),
 *   idleEvictionMs: policies.idleEvictionMs,
 * });
 * policies.bindSelfMetrics(provider.getMeter('@yardstick/views'), () => provider.stats());
 * ```
 */
export function createCorePolicies(
  options: CardinalityOptions = {},
  context: YardstickViewsContext = {},
): CorePolicies {
  const rules = compileCardinalityRules(options, context);
  const logger = context.logger ?? diagViewsLogger;
  const budgetsByStream = new Map<string, ValueBudget[]>();
  const streamKey = (meterName: string, name: string, kind: string) =>
    `${meterName}\u0000${name}\u0000${kind}`;

  return {
    attributePolicy(instrument) {
      const transforms = rules.transformsFor(instrument.meterName, instrument.name);
      const budgets = rules.budgetsFor(instrument.name);
      budgetsByStream.set(streamKey(instrument.meterName, instrument.name, instrument.kind), budgets);
      return (incoming) => {
        let attributes = incoming;
        for (const transform of transforms) attributes = transform(attributes);
        for (const budget of budgets) {
          const value = attributes[budget.key];
          if (value === undefined || budget.admits(value)) continue;
          attributes = withAttribute(attributes, budget.key, budget.otherValue);
        }
        return attributes;
      };
    },
    cardinalityLimit: (instrument) => rules.limitFor(instrument.name),
    idleEvictionMs: rules.idleEvictionMs,
    onFirstOverflow(instrument, limit, forEachSeries) {
      try {
        logger.warn(
          { metric: instrument.name, limit, topKeys: topKeys(forEachSeries, 3) },
          'cardinality limit reached: new attribute sets of this metric now go to the otel.metric.overflow series',
        );
      } catch {
        // A failing logger must not break recording.
      }
    },
    bindSelfMetrics(meter, stats) {
      const rows = function* (): Iterable<SelfMetricRow> {
        for (const stream of stats()) {
          if (SELF_METRIC_NAME_SET.has(stream.instrument)) continue;
          const budgets =
            budgetsByStream.get(streamKey(stream.meterName, stream.instrument, stream.kind)) ?? [];
          // A budget replaces values with its otherValue, so the measurements of series carrying it are the
          // capped ones: counted here at collection instead of on every measurement. Capped measurements
          // that also overflowed are in the overflow series and counted as overflow measurements only.
          const capped = budgets.map((budget) => {
            let measurements = 0;
            stream.forEachSeries((attributes, count) => {
              if (attributes[budget.key] === budget.otherValue) measurements += count;
            });
            return { key: budget.key, measurements };
          });
          yield {
            name: stream.instrument,
            overflowMeasurements: stream.overflowMeasurements,
            series: stream.series,
            capped,
          };
        }
      };
      registerSelfMetrics(meter, rows);
    },
  };
}
