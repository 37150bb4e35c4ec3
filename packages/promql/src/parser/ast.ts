/**
 * The typed PromQL syntax tree. The parser builds it from `@prometheus-io/lezer-promql`'s tree; the type
 * checker and the engine read it. Durations and timestamps are milliseconds.
 */

import type { LabelMatcher } from '../storage/queryable.ts';
import type { QueryDuration } from './duration-expr.ts';

/** The type of value an expression evaluates to. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Character offsets `[start, end)` of a node in the expression text. */
export interface Position {
  readonly start: number;
  readonly end: number;
}

/** An `@` modifier: a fixed timestamp, or `start()` / `end()` of the query. */
export type AtModifier =
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

export interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
  readonly pos: Position;
}

export interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
  readonly pos: Position;
}

/** `name{matchers} offset D @ T`. `matchers` includes the `__name__` matcher when a name was given. */
export interface VectorSelector {
  readonly type: 'vectorSelector';
  readonly name: string | undefined;
  readonly matchers: readonly LabelMatcher[];
  /** Positive looks back in time; negative offsets are allowed. */
  readonly offsetMs: number;
  /** An offset with `step()` or `range()` in it; `offsetMs` is set from it when the query runs. */
  readonly offsetExpr?: QueryDuration;
  readonly at: AtModifier | undefined;
  readonly pos: Position;
}

/** `selector[range]`; offset and `@` live on the inner selector. */
export interface MatrixSelector {
  readonly type: 'matrixSelector';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
  /** A range with `step()` or `range()` in it; `rangeMs` is set from it when the query runs. */
  readonly rangeExpr?: QueryDuration;
  readonly pos: Position;
}

/**
 * `expr[range:step] offset D @ T`. `stepMs` is 0 when omitted (the default evaluation interval). The
 * `*Expr` fields hold durations with `step()` or `range()`, resolved when the query runs.
 */
export interface Subquery {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  readonly rangeExpr?: QueryDuration;
  readonly stepMs: number;
  readonly stepExpr?: QueryDuration;
  readonly offsetMs: number;
  readonly offsetExpr?: QueryDuration;
  readonly at: AtModifier | undefined;
  readonly pos: Position;
}

export interface Call {
  readonly type: 'call';
  /** The function name, e.g. `rate`. */
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: Position;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface Aggregate {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** The parameter of `topk`, `bottomk`, `quantile`, `count_values`, `limitk`, `limit_ratio`. */
  readonly param: Expr | undefined;
  /** Labels of `by (...)` or `without (...)`. */
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: Position;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
/** Native histogram trimming: `</` keeps the observations below the scalar, `>/` those above it. */
export type TrimOp = '</' | '>/';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

/** Vector matching of a binary operation between two vectors. */
export interface VectorMatching {
  readonly card: Cardinality;
  /** `on(...)` when true, `ignoring(...)` when false (an absent clause is `ignoring()`). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
  /** Values of `fill(...)`, `fill_left(...)`, `fill_right(...)`: what a side without a match stands in with. */
  readonly fill?: FillValues;
}

/** The fill values of a binary operation; each side's is `undefined` when that side is not filled. */
export interface FillValues {
  readonly lhs: number | undefined;
  readonly rhs: number | undefined;
}

export interface Binary {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** The `bool` modifier of a comparison. */
  readonly returnBool: boolean;
  /** Present when both sides are vectors (set operators are always many-to-many). */
  readonly matching: VectorMatching | undefined;
  readonly pos: Position;
}

export interface Unary {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: Position;
}

export interface Paren {
  readonly type: 'paren';
  readonly expr: Expr;
  readonly pos: Position;
}

/** Any PromQL expression. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Subquery
  | Call
  | Aggregate
  | Binary
  | Unary
  | Paren;
