/**
 * Durations that depend on the query (`step()`, `range()` inside ranges, subquery steps and offsets) get
 * their milliseconds when the query runs, as Prometheus's `durationVisitor` sets them before evaluation:
 * `step()` is the query's step and `range()` its end minus its start, both 0 for an instant query.
 */
import type { Expr, VectorSelector } from '../parser/ast.ts';
import { type QueryDuration, resolveDuration } from '../parser/duration-expr.ts';

/** Whether any node of `expr` holds a query-dependent duration; most queries have none and stay as parsed. */
function hasQueryDurations(expr: Expr): boolean {
  switch (expr.type) {
    case 'vectorSelector':
      return expr.offsetExpr !== undefined;
    case 'matrixSelector':
      return expr.rangeExpr !== undefined || expr.vector.offsetExpr !== undefined;
    case 'subquery':
      return (
        expr.rangeExpr !== undefined ||
        expr.stepExpr !== undefined ||
        expr.offsetExpr !== undefined ||
        hasQueryDurations(expr.expr)
      );
    case 'call':
      return expr.args.some(hasQueryDurations);
    case 'aggregate':
      return hasQueryDurations(expr.expr) || (expr.param !== undefined && hasQueryDurations(expr.param));
    case 'binary':
      return hasQueryDurations(expr.lhs) || hasQueryDurations(expr.rhs);
    case 'unary':
    case 'paren':
      return hasQueryDurations(expr.expr);
    default:
      return false;
  }
}

/**
 * `expr` with every query-dependent duration resolved for a query of `stepMs` (0 for an instant query)
 * over `rangeMs`; `expr` itself when it has none.
 * @throws PromqlError `PROMQL_EVAL` for a duration that resolves to something Prometheus refuses (a range
 *   or step not above 0, a division by zero, an infinite or out-of-range duration).
 */
export function resolveQueryDurations(expr: Expr, stepMs: number, rangeMs: number): Expr {
  if (!hasQueryDurations(expr)) return expr;
  const resolve = (d: QueryDuration, allowNegative: boolean) =>
    resolveDuration(d, stepMs, rangeMs, allowNegative);
  const selector = (v: VectorSelector): VectorSelector =>
    v.offsetExpr === undefined ? v : { ...v, offsetMs: resolve(v.offsetExpr, true), offsetExpr: undefined };
  const walk = (e: Expr): Expr => {
    switch (e.type) {
      case 'vectorSelector':
        return selector(e);
      case 'matrixSelector':
        return {
          ...e,
          vector: selector(e.vector),
          rangeMs: e.rangeExpr === undefined ? e.rangeMs : resolve(e.rangeExpr, false),
          rangeExpr: undefined,
        };
      case 'subquery':
        return {
          ...e,
          expr: walk(e.expr),
          rangeMs: e.rangeExpr === undefined ? e.rangeMs : resolve(e.rangeExpr, false),
          rangeExpr: undefined,
          stepMs: e.stepExpr === undefined ? e.stepMs : resolve(e.stepExpr, false),
          stepExpr: undefined,
          offsetMs: e.offsetExpr === undefined ? e.offsetMs : resolve(e.offsetExpr, true),
          offsetExpr: undefined,
        };
      case 'call':
        return { ...e, args: e.args.map(walk) };
      case 'aggregate':
        return { ...e, expr: walk(e.expr), param: e.param === undefined ? undefined : walk(e.param) };
      case 'binary':
        return { ...e, lhs: walk(e.lhs), rhs: walk(e.rhs) };
      case 'unary':
      case 'paren':
        return { ...e, expr: walk(e.expr) };
      default:
        return e;
    }
  };
  return walk(expr);
}
