/**
 * `validateExpr`: every problem of an expression as a list, for rule-file validation and linting, where a
 * user wants all complaints at once rather than the first exception.
 */
import { PromqlError, type PromqlErrorPosition, positionOf } from '../errors.ts';
import { compileMatcher } from '../storage/label-matcher.ts';
import type { Expr } from './ast.ts';
import { checkTypes } from './check-types.ts';
import { EXPERIMENTAL_AGGREGATIONS, getFunction } from './functions.ts';
import { type ParseOptions, parseExpr, parseExprUnchecked } from './parse-expr.ts';

/** One problem found by {@link validateExpr}. */
export interface ValidationProblem {
  /** `error` makes Prometheus refuse the expression; `warning` is accepted but worth a look. */
  readonly severity: 'error' | 'warning';
  /** `PROMQL_PARSE`, `PROMQL_TYPE`, `PROMQL_UNSUPPORTED`, or `unknown-metric` / `experimental`. */
  readonly kind: 'PROMQL_PARSE' | 'PROMQL_TYPE' | 'PROMQL_UNSUPPORTED' | 'unknown-metric' | 'experimental';
  readonly message: string;
  readonly position: PromqlErrorPosition | undefined;
}

/**
 * Options of {@link validateExpr}. Without `experimentalFunctions`, a call of an experimental function is
 * an error, as in Prometheus without `--enable-feature=promql-experimental-functions`; with it, the call
 * is accepted and reported as an `experimental` warning.
 */
export interface ValidateOptions extends ParseOptions {
  /** When given, selectors of metric names outside this set are reported as `unknown-metric` warnings. */
  readonly knownMetrics?: ReadonlySet<string> | readonly string[];
}

/** Calls `visit` on `expr` and every expression below it. */
export function walkExpr(expr: Expr, visit: (e: Expr) => void): void {
  visit(expr);
  switch (expr.type) {
    case 'matrixSelector':
      walkExpr(expr.vector, visit);
      break;
    case 'subquery':
    case 'paren':
    case 'unary':
      walkExpr(expr.expr, visit);
      break;
    case 'call':
      for (const arg of expr.args) walkExpr(arg, visit);
      break;
    case 'aggregate':
      if (expr.param !== undefined) walkExpr(expr.param, visit);
      walkExpr(expr.expr, visit);
      break;
    case 'binary':
      walkExpr(expr.lhs, visit);
      walkExpr(expr.rhs, visit);
      break;
    default:
      break;
  }
}

/** The metric names an expression selects by an exact `__name__` matcher. */
export function selectedMetricNames(expr: Expr): string[] {
  const names: string[] = [];
  walkExpr(expr, (e) => {
    if (e.type !== 'vectorSelector') return;
    for (const m of e.matchers) if (m.name === '__name__' && m.type === '=') names.push(m.value);
  });
  return names;
}

function fromError(e: PromqlError): ValidationProblem {
  const kind = e.code === 'PROMQL_TYPE' || e.code === 'PROMQL_UNSUPPORTED' ? e.code : 'PROMQL_PARSE';
  return { severity: 'error', kind, message: e.message, position: e.position };
}

/**
 * Every problem of `text`: the syntax error, or else all type errors, unknown metric names and (when
 * `experimentalFunctions` allows them) uses of experimental functions. An empty list means Prometheus
 * accepts the expression.
 *
 * @example
 * ```ts
 * validateExpr('rate(http_requests_total[5m]) > 1', { knownMetrics: ['http_requests_total'] }); // []
 * ```
 */
export function validateExpr(text: string, options: ValidateOptions = {}): ValidationProblem[] {
  let expr: Expr;
  try {
    expr = parseExpr(text, options);
  } catch (e) {
    if (!(e instanceof PromqlError)) throw e;
    if (e.code !== 'PROMQL_TYPE') return [fromError(e)];
    // parseExpr stops at the first type error; re-parse without checking to list them all.
    return checkTypesOfUnchecked(text, e, options);
  }
  return [...checkTypes(expr, text).map(fromError), ...notes(expr, text, options)];
}

function checkTypesOfUnchecked(text: string, first: PromqlError, options: ParseOptions): ValidationProblem[] {
  let expr: Expr;
  try {
    expr = parseExprUnchecked(text, options);
  } catch {
    return [fromError(first)];
  }
  return checkTypes(expr, text).map(fromError);
}

function notes(expr: Expr, text: string, options: ValidateOptions): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const known = options.knownMetrics === undefined ? undefined : new Set(options.knownMetrics);
  walkExpr(expr, (e) => {
    const position = positionOf(text, e.pos.start, e.pos.end);
    if (e.type === 'vectorSelector' && known !== undefined) {
      for (const m of e.matchers) {
        if (m.name === '__name__' && m.type === '=' && !known.has(m.value)) {
          problems.push({
            severity: 'warning',
            kind: 'unknown-metric',
            message: `unknown metric "${m.value}"`,
            position,
          });
        }
        // A name regex that no known metric matches selects nothing, just like an unknown name.
        if (m.name === '__name__' && m.type === '=~') {
          const matcher = compileMatcher(m);
          if (![...known].some((name) => matcher.matches(name))) {
            problems.push({
              severity: 'warning',
              kind: 'unknown-metric',
              message: `no known metric matches __name__=~${JSON.stringify(m.value)}`,
              position,
            });
          }
        }
      }
    }
    const experimental =
      (e.type === 'call' && getFunction(e.func)?.experimental === true) ||
      (e.type === 'aggregate' && EXPERIMENTAL_AGGREGATIONS.has(e.op));
    if (experimental) {
      const name = e.type === 'call' ? e.func : e.type === 'aggregate' ? e.op : '';
      problems.push({
        severity: 'warning',
        kind: 'experimental',
        message: `${name}() is experimental in Prometheus (--enable-feature=promql-experimental-functions)`,
        position,
      });
    }
  });
  return problems;
}
