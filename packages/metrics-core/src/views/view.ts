/**
 * Views, as the OTel SDK specification defines them: a selector (instrument name with `*`/`?` wildcards,
 * instrument type, meter name/version/schema URL) and the stream it configures (name, description,
 * aggregation, attribute keys, cardinality limit), or `drop`.
 */
import type { InstrumentKind } from '../model/metric-data.ts';

/** The aggregation a view (or the default) chooses. */
export type AggregationOption =
  | { readonly type: 'default' }
  | { readonly type: 'drop' }
  | { readonly type: 'sum' }
  | { readonly type: 'lastValue' }
  | {
      readonly type: 'explicitHistogram';
      readonly boundaries?: readonly number[] | undefined;
      readonly recordMinMax?: boolean | undefined;
    }
  | {
      readonly type: 'exponentialHistogram';
      readonly maxSize?: number | undefined;
      readonly maxScale?: number | undefined;
      readonly recordMinMax?: boolean | undefined;
    };

/** A view. Every selector field that is set must match; a view with no selector matches every instrument. */
export interface CoreView {
  readonly instrumentName?: string | undefined;
  readonly instrumentType?: InstrumentKind | undefined;
  readonly instrumentUnit?: string | undefined;
  readonly meterName?: string | undefined;
  readonly meterVersion?: string | undefined;
  readonly meterSchemaUrl?: string | undefined;
  /** The exported name; only meaningful for a view that selects one instrument. */
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly aggregation?: AggregationOption | undefined;
  /** Keep only these attribute keys. */
  readonly attributeKeys?: readonly string[] | undefined;
  readonly cardinalityLimit?: number | undefined;
}

/** What a view is matched against. */
export interface ViewSubject {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  readonly meterName: string;
  readonly meterVersion: string | undefined;
  readonly meterSchemaUrl: string | undefined;
}

const patterns = new Map<string, RegExp>();

function wildcard(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, 'i');
    patterns.set(pattern, regex);
  }
  return regex;
}

/** Whether `view` selects `subject` (instrument names compare case-insensitively, as the spec says). */
export function viewMatches(view: CoreView, subject: ViewSubject): boolean {
  if (view.instrumentName !== undefined && !wildcard(view.instrumentName).test(subject.name)) return false;
  if (view.instrumentType !== undefined && view.instrumentType !== subject.kind) return false;
  if (view.instrumentUnit !== undefined && view.instrumentUnit !== subject.unit) return false;
  if (view.meterName !== undefined && view.meterName !== subject.meterName) return false;
  if (view.meterVersion !== undefined && view.meterVersion !== subject.meterVersion) return false;
  if (view.meterSchemaUrl !== undefined && view.meterSchemaUrl !== subject.meterSchemaUrl) return false;
  return true;
}
