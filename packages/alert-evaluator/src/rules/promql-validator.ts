/**
 * The default {@link ExprValidator}: `@yardstick/promql`'s parser and type checker, which accept what
 * Prometheus accepts.
 */
import { type Expr, parseExpr, selectedMetricNames, validateExpr } from '@yardstick/promql';
import type { ExprCheck } from './expr-validator.ts';

function resultType(expr: Expr): ExprCheck['type'] {
  switch (expr.type) {
    case 'paren':
      return resultType(expr.expr);
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'string':
      return 'string';
    case 'number':
      return 'scalar';
    default:
      return 'vector';
  }
}

/** Checks syntax and types with the embedded parser; reports the first error in its words. */
export function promqlExprValidator(text: string): ExprCheck {
  const error = validateExpr(text).find((p) => p.severity === 'error');
  if (error !== undefined) return { error: error.message };
  const expr = parseExpr(text);
  return { type: resultType(expr), metricNames: selectedMetricNames(expr) };
}
