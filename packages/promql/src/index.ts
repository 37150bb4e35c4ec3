/**
 * `@yardstick/promql`: PromQL parsing, type checking and evaluation with Prometheus 3 semantics, an
 * in-memory compressed sample store, and a runner for Prometheus's `.test` conformance format.
 * @packageDocumentation
 */

export type { LabelMatcher, Labels, MatchType, Queryable, SeriesSamples } from './storage/queryable.ts';
export { isStaleNaN, STALE_NAN } from './storage/queryable.ts';
export type { SampleStoreOptions, SampleStoreStats } from './storage/sample-store.ts';
export { SampleStore } from './storage/sample-store.ts';
