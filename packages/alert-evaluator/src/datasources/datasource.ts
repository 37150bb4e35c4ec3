/**
 * What rules evaluate against: anything that answers an instant PromQL query.
 */
import type { Labels } from '@yardstick/promql';

/** One sample of an instant vector. */
export interface QuerySample {
  readonly labels: Labels;
  readonly value: number;
}

/** The result of an instant query: a vector or a scalar (the two types a rule may return). */
export type QueryValue =
  | { readonly type: 'vector'; readonly samples: readonly QuerySample[] }
  | { readonly type: 'scalar'; readonly value: number };

/** A source rules query: the embedded engine, or a remote Prometheus-compatible API. */
export interface Datasource {
  /** Evaluates `expr` at `timeMs`. Rejects on failure; rule evaluation turns that into rule health. */
  query(expr: string, timeMs: number, signal?: AbortSignal): Promise<QueryValue>;
}

/** The instant vector of a query value; a scalar becomes one sample without labels, as in Prometheus. */
export function asVector(value: QueryValue): readonly QuerySample[] {
  return value.type === 'vector' ? value.samples : [{ labels: {}, value: value.value }];
}
