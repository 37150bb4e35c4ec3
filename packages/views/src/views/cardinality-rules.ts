/**
 * The cardinality and attribute rules of yardstick's configuration, compiled once: which series limit,
 * attribute rewrites (key filters, redaction, path templating) and value budgets apply to an instrument.
 * Shared by the sdk-metrics views ({@link createYardstickViews}) and the metrics core's policies
 * ({@link createCorePolicies}).
 */
import { ViewsError } from '../errors/views-error.ts';
import { compileNamePattern, mostSpecificMatch, type NamePattern } from '../matching/name-pattern.ts';
import type { AttributeTransform } from '../pipeline/attribute-transform.ts';
import { createKeyFilterTransform } from '../processors/key-filter.ts';
import { ValueBudget } from '../processors/value-budget.ts';
import { createRedactionTransform } from '../redaction/redaction-processor.ts';
import { createPathTemplateTransform } from '../templating/path-template.ts';
import type { CardinalityOptions, YardstickViewsContext } from './create-yardstick-views.ts';

/** The meters of yardstick's own telemetry, whose instruments are always redacted: `@yardstick/*`. */
export const DEFAULT_OWN_METERS: readonly string[] = ['@yardstick/*'];

/** The default series limit per metric. */
export const DEFAULT_LIMIT = 2000;

/** The compiled rules. */
export interface CardinalityRules {
  readonly defaultLimit: number;
  /** The highest limit any instrument gets. */
  readonly maxLimit: number;
  readonly idleEvictionMs: number | undefined;
  /** The series limit of an instrument (most specific pattern, else the default). */
  limitFor(instrumentName: string): number;
  /** The rewrites of an instrument on a meter, in order: key filter, redaction, path templating. */
  transformsFor(meterName: string, instrumentName: string): AttributeTransform[];
  /** The rewrites that apply when the instrument is unknown: only rules for every name. */
  readonly unroutedTransforms: AttributeTransform[];
  /** Fresh value budgets of an instrument, one per key, the most specific pattern winning. */
  budgetsFor(instrumentName: string): ValueBudget[];
}

function invalid(message: string): never {
  throw new ViewsError('VIEWS_CONFIG_INVALID', message);
}

function checkInteger(path: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(`${path}: must be an integer in ${min}..${max}, got ${value}`);
  }
}

function validate(options: CardinalityOptions): void {
  if (options.defaultLimit !== undefined) checkInteger('defaultLimit', options.defaultLimit, 100, 10_000);
  for (const [pattern, limit] of Object.entries(options.limits ?? {})) {
    checkInteger(`limits.${pattern}`, limit, 1, 1_000_000);
  }
  options.attributeBudgets?.forEach((budget, i) => {
    checkInteger(`attributeBudgets.${i}.maxValues`, budget.maxValues, 1, 1_000_000);
  });
  if (options.idleEvictionMs !== undefined && !(options.idleEvictionMs > 0)) {
    invalid(`idleEvictionMs: must be positive, got ${options.idleEvictionMs}`);
  }
}

function patternEntries<T>(
  record: Readonly<Record<string, T>> | undefined,
): Array<readonly [NamePattern, T]> {
  return Object.entries(record ?? {}).map(
    ([pattern, value]) => [compileNamePattern(pattern), value] as const,
  );
}

function mergedLists(
  entries: ReadonlyArray<readonly [NamePattern, readonly string[]]>,
  matches: (pattern: NamePattern) => boolean,
): string[] | undefined {
  const hits = entries.filter(([pattern]) => matches(pattern));
  return hits.length === 0 ? undefined : hits.flatMap(([, keys]) => keys);
}

/**
 * Validates and compiles `options`.
 * @throws ViewsError `VIEWS_CONFIG_INVALID` naming the setting at fault
 */
export function compileCardinalityRules(
  options: CardinalityOptions = {},
  context: YardstickViewsContext = {},
): CardinalityRules {
  validate(options);
  const defaultLimit = options.defaultLimit ?? DEFAULT_LIMIT;
  const limits = patternEntries(options.limits);
  const allow = patternEntries(options.allow);
  const deny = patternEntries(options.deny);
  const budgets = (options.attributeBudgets ?? []).map((b) => [compileNamePattern(b.instrument), b] as const);
  const redactionOptions = options.redaction ?? { enabled: true };
  const redaction = createRedactionTransform(redactionOptions);
  // Yardstick's own metrics (the telemetry server's) are redacted whatever the configuration says.
  const ownRedaction = redactionOptions.enabled
    ? redaction
    : createRedactionTransform({ ...redactionOptions, enabled: true });
  const ownMeters = (context.ownMeters ?? DEFAULT_OWN_METERS).map(compileNamePattern);
  const templating =
    options.pathTemplating === false ? undefined : createPathTemplateTransform(options.pathTemplating ?? {});

  const transformsWith = (
    matches: (pattern: NamePattern) => boolean,
    redact: AttributeTransform | undefined,
  ): AttributeTransform[] => {
    const filter = createKeyFilterTransform({
      ...(mergedLists(allow, matches) === undefined ? {} : { allow: mergedLists(allow, matches)! }),
      deny: mergedLists(deny, matches) ?? [],
    });
    return [filter, redact, templating].filter((t): t is AttributeTransform => t !== undefined);
  };

  return {
    defaultLimit,
    maxLimit: Math.max(defaultLimit, ...limits.map(([, limit]) => limit)),
    idleEvictionMs: options.idleEvictionMs,
    limitFor: (instrumentName) => mostSpecificMatch(limits, instrumentName) ?? defaultLimit,
    transformsFor: (meterName, instrumentName) =>
      transformsWith(
        (pattern) => pattern.matches(instrumentName),
        ownMeters.some((pattern) => pattern.matches(meterName)) ? ownRedaction : redaction,
      ),
    unroutedTransforms: transformsWith((pattern) => pattern.specificity === 0, redaction),
    budgetsFor(instrumentName) {
      const perKey = new Map<string, ValueBudget>();
      const matching = budgets
        .filter(([pattern]) => pattern.matches(instrumentName))
        .sort((a, b) => b[0].specificity - a[0].specificity);
      for (const [, budget] of matching)
        if (!perKey.has(budget.key)) perKey.set(budget.key, new ValueBudget(budget));
      return [...perKey.values()];
    },
  };
}
