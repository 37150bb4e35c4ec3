/**
 * The extra instant queries promqltest runs for every instant eval (`atModifierTestCases` in
 * promql/promqltest/test.go): the same expression with every selector and subquery pinned to the eval time
 * by `@`, evaluated at other times, must give the same result.
 */
import type { Expr } from '../parser/ast.ts';

/** Functions whose result depends on the evaluation time even with pinned arguments (Prometheus's list). */
const atModifierUnsafeFunctions = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);

/** Whether `expr` calls an unsafe function outside subqueries (whose insides promqltest leaves alone). */
function callsUnsafeFunction(expr: Expr): boolean {
  switch (expr.type) {
    case 'call':
      return atModifierUnsafeFunctions.has(expr.func) || expr.args.some(callsUnsafeFunction);
    case 'aggregate':
      return callsUnsafeFunction(expr.expr) || (expr.param !== undefined && callsUnsafeFunction(expr.param));
    case 'binary':
      return callsUnsafeFunction(expr.lhs) || callsUnsafeFunction(expr.rhs);
    case 'unary':
    case 'paren':
      return callsUnsafeFunction(expr.expr);
    default:
      return false;
  }
}

/** `expr` with `@ ms` on every selector and subquery that has no fixed `@` timestamp yet. */
function pin(expr: Expr, ms: number): Expr {
  const at = { kind: 'timestamp', ms } as const;
  switch (expr.type) {
    case 'vectorSelector':
      return expr.at?.kind === 'timestamp' ? expr : { ...expr, at };
    case 'matrixSelector':
      return expr.vector.at?.kind === 'timestamp' ? expr : { ...expr, vector: { ...expr.vector, at } };
    case 'subquery':
      // What is inside a pinned subquery keeps its own time.
      return expr.at?.kind === 'timestamp' ? expr : { ...expr, at };
    case 'call':
      return { ...expr, args: expr.args.map((a) => pin(a, ms)) };
    case 'aggregate':
      return {
        ...expr,
        expr: pin(expr.expr, ms),
        param: expr.param === undefined ? undefined : pin(expr.param, ms),
      };
    case 'binary':
      return { ...expr, lhs: pin(expr.lhs, ms), rhs: pin(expr.rhs, ms) };
    case 'unary':
    case 'paren':
      return { ...expr, expr: pin(expr.expr, ms) };
    default:
      return expr;
  }
}

/** One extra query: the pinned expression and the time to evaluate it at. */
export interface AtModifierVariant {
  readonly expr: Expr;
  readonly evalMs: number;
}

/**
 * The pinned variants of an instant eval at `evalMs`, or none when the expression calls a function whose
 * result moves with the evaluation time.
 */
export function atModifierVariants(expr: Expr, evalMs: number): AtModifierVariant[] {
  if (callsUnsafeFunction(expr)) return [];
  const pinned = pin(expr, evalMs);
  // Go's int64 division truncates.
  const times =
    evalMs === 0 ? [-1000, 0, 1000] : [-10 * evalMs, 0, Math.trunc(evalMs / 5), evalMs, 10 * evalMs];
  return times.map((t) => ({ expr: pinned, evalMs: t }));
}
