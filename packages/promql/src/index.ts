/**
 * `@yardstick/promql`: PromQL parsing, type checking and evaluation with Prometheus 3 semantics, an
 * in-memory compressed sample store, and a runner for Prometheus's `.test` conformance format.
 * @packageDocumentation
 */

export type {
  ConformanceEngine,
  EvalResult,
  RunTestFileOptions,
  TestFileResult,
} from './conformance/run-test-file.ts';
export { runPromqlTestFile } from './conformance/run-test-file.ts';
export type { SequenceValue } from './conformance/series-description.ts';
export { MAX_SEQUENCE_VALUES, parseSequence as parseSeriesValues } from './conformance/series-description.ts';
export type { SkipReason } from './conformance/skip-reason.ts';
export { evaluateInstant, evaluateRange } from './engine/evaluate.ts';
export type {
  EvaluateOptions,
  InstantValue,
  MatrixSeries,
  MatrixValue,
  QueryResult,
  ScalarValue,
  StringValue,
  VectorSample,
  VectorValue,
} from './engine/types.ts';
export type { PromqlErrorCode, PromqlErrorPosition } from './errors.ts';
export { PromqlError } from './errors.ts';
export type { ApiHistogram, ApiHistogramBucket, BoundaryRule } from './histogram/api-json.ts';
export { toApiHistogram } from './histogram/api-json.ts';
export type { CounterResetHint, FloatHistogramInit } from './histogram/float-histogram.ts';
export { FloatHistogram } from './histogram/float-histogram.ts';
export type { Span } from './histogram/span.ts';
export type {
  Aggregate,
  AggregateOp,
  AtModifier,
  Binary,
  BinaryOp,
  Call,
  Expr,
  MatrixSelector,
  NumberLiteral,
  Paren,
  Position,
  StringLiteral,
  Subquery,
  Unary,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './parser/ast.ts';
export { formatExpr, formatNumber } from './parser/format-expr.ts';
export { goQuote } from './parser/go-strings.ts';
export { formatDurationMs, parseDurationMs } from './parser/literals.ts';
export type { ParseOptions } from './parser/parse-expr.ts';
export { parseExpr } from './parser/parse-expr.ts';
export type { ValidateOptions, ValidationProblem } from './parser/validate-expr.ts';
export { selectedMetricNames, validateExpr, walkExpr } from './parser/validate-expr.ts';
export type { CompiledMatcher } from './storage/label-matcher.ts';
export { compileMatcher } from './storage/label-matcher.ts';
export type { LabelMatcher, Labels, MatchType, Queryable, SeriesSamples } from './storage/queryable.ts';
export { isStaleNaN, STALE_NAN } from './storage/queryable.ts';
export type { GoRegexp, RegexMatch } from './storage/re2-regex.ts';
export { compileGoRegexp, goExpand } from './storage/re2-regex.ts';
export type { RetentionResult, SampleStoreOptions, SampleStoreStats } from './storage/sample-store.ts';
export { SampleStore } from './storage/sample-store.ts';
export { ShardedMap, stringShard } from './storage/sharded-map.ts';
export type { ChunkSamples } from './storage/xor-chunk-codec.ts';
export { decodeXorChunkBytes, encodeXorChunkBytes } from './storage/xor-chunk-codec.ts';
