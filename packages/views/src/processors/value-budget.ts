import type { AttributeValue } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';
import { withAttribute } from '../pipeline/attribute-transform.ts';

/** The value that replaces values over budget unless configured otherwise. */
export const DEFAULT_OTHER_VALUE = '__other__';

/** One per-attribute value budget. */
export interface ValueBudgetOptions {
  /** The attribute key the budget applies to. */
  readonly key: string;
  /** How many distinct values are kept; the first ones seen win. */
  readonly maxValues: number;
  /** What every later value becomes; default `__other__`. */
  readonly otherValue?: string;
}

/**
 * At most `maxValues` distinct values of one key, first come first kept; every other value is mapped to
 * `otherValue`. Admission is permanent, so a value keeps its own series for the life of the process.
 */
export class ValueBudget {
  readonly key: string;
  readonly maxValues: number;
  readonly otherValue: string;
  /** Measurements whose value was replaced by `otherValue`. */
  cappedMeasurements = 0;
  readonly #kept = new Set<unknown>();

  constructor(options: ValueBudgetOptions) {
    this.key = options.key;
    this.maxValues = options.maxValues;
    this.otherValue = options.otherValue ?? DEFAULT_OTHER_VALUE;
  }

  /** How many distinct values hold a place. */
  get keptValues(): number {
    return this.#kept.size;
  }

  /** Whether `value` keeps its place (admitting it if there is room). Does not count a capped measurement. */
  admits(value: AttributeValue): boolean {
    // Arrays compare by content, primitives by themselves (so `1` and `'1'` stay distinct).
    const member = Array.isArray(value) ? `\u0000${JSON.stringify(value)}` : value;
    if (this.#kept.has(member)) return true;
    if (this.#kept.size >= this.maxValues) return false;
    this.#kept.add(member);
    return true;
  }
}

/**
 * An attributes processor enforcing one value budget. It holds state, so give each instrument its own (a
 * view with an exact `instrumentName`); {@link createYardstickViews} does this for every instrument.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [{ instrumentName: 'jobs.processed',
 *   attributesProcessors: [createValueBudgetProcessor({ key: 'tenant', maxValues: 50 })] }] });
 * ```
 */
export function createValueBudgetProcessor(options: ValueBudgetOptions): IAttributesProcessor {
  const budget = new ValueBudget(options);
  return {
    process(incoming) {
      const value = incoming[budget.key];
      if (value === undefined || budget.admits(value)) return incoming;
      budget.cappedMeasurements++;
      return withAttribute(incoming, budget.key, budget.otherValue);
    },
  };
}
