/**
 * The postfix modifiers of PromQL on an already built operand: `[range]`, `[range:step]`, `offset` and `@`,
 * with the placement rules and messages of Prometheus's parser (`addOffset`, `setTimestamp`, the
 * `matrix_selector` rule).
 */
import type { PromqlError } from '../errors.ts';
import type { AtModifier, Expr } from './ast.ts';
import type { QueryDuration } from './duration-expr.ts';

/** Milliseconds, or a duration with `step()` or `range()` that is resolved when the query runs. */
export type DurationValue = number | QueryDuration;

function hasOffset(e: { readonly offsetMs: number; readonly offsetExpr?: QueryDuration }): boolean {
  return e.offsetMs !== 0 || e.offsetExpr !== undefined;
}

/** Builds the parse error for `[start, end)` of the query. */
export type FailAt = (start: number, end: number, message: string) => PromqlError;

/** `inner[range]`: only a plain vector selector takes a range. */
export function withRange(inner: Expr, range: DurationValue, end: number, fail: FailAt): Expr {
  if (inner.type !== 'vectorSelector')
    throw fail(inner.pos.end, end, 'ranges only allowed for vector selectors');
  if (hasOffset(inner)) throw fail(inner.pos.end, end, 'no offset modifiers allowed before range');
  if (inner.at !== undefined) throw fail(inner.pos.end, end, 'no @ modifiers allowed before range');
  const pos = { start: inner.pos.start, end };
  if (typeof range === 'number') return { type: 'matrixSelector', vector: inner, rangeMs: range, pos };
  return { type: 'matrixSelector', vector: inner, rangeMs: 0, rangeExpr: range, pos };
}

/** `expr[range:step]`; the type checker requires `expr` to be an instant vector. */
export function subqueryOf(expr: Expr, range: DurationValue, step: DurationValue, end: number): Expr {
  return {
    type: 'subquery',
    expr,
    rangeMs: typeof range === 'number' ? range : 0,
    ...(typeof range === 'number' ? {} : { rangeExpr: range }),
    stepMs: typeof step === 'number' ? step : 0,
    ...(typeof step === 'number' ? {} : { stepExpr: step }),
    offsetMs: 0,
    at: undefined,
    pos: { start: expr.pos.start, end },
  };
}

/** `target offset d`, on a selector, a range selector or a subquery, once. */
export function withOffset(target: Expr, offset: DurationValue, end: number, fail: FailAt): Expr {
  const pos = { start: target.pos.start, end };
  const twice = () => fail(pos.start, end, 'offset may not be set multiple times');
  const fields = typeof offset === 'number' ? { offsetMs: offset } : { offsetMs: 0, offsetExpr: offset };
  switch (target.type) {
    case 'vectorSelector':
      if (hasOffset(target)) throw twice();
      return { ...target, ...fields, pos };
    case 'matrixSelector':
      if (hasOffset(target.vector)) throw twice();
      return { ...target, vector: { ...target.vector, ...fields }, pos };
    case 'subquery':
      if (hasOffset(target)) throw twice();
      return { ...target, ...fields, pos };
    default:
      throw fail(
        pos.start,
        end,
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
  }
}

/** `target @ t`, on a selector, a range selector or a subquery, once. */
export function withAt(target: Expr, at: AtModifier, end: number, fail: FailAt): Expr {
  const pos = { start: target.pos.start, end };
  const twice = () => fail(pos.start, end, '@ <timestamp> may not be set multiple times');
  switch (target.type) {
    case 'vectorSelector':
      if (target.at !== undefined) throw twice();
      return { ...target, at, pos };
    case 'matrixSelector':
      if (target.vector.at !== undefined) throw twice();
      return { ...target, vector: { ...target.vector, at }, pos };
    case 'subquery':
      if (target.at !== undefined) throw twice();
      return { ...target, at, pos };
    default:
      throw fail(
        pos.start,
        end,
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
  }
}
