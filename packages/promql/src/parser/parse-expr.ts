/**
 * `parseExpr`: PromQL text to the typed {@link Expr} tree, on `@prometheus-io/lezer-promql` (the grammar of
 * Prometheus's web UI) and the Go parser's semantics (see `ast-builder.ts`); the type checker runs before
 * the tree is returned.
 */
import type { Expr } from './ast.ts';
import { AstBuilder } from './ast-builder.ts';
import { checkTypes } from './check-types.ts';
import { normalizeTrailingDots } from './literals.ts';
import { promqlParser } from './promql-grammar.ts';
import { findSyntaxError, parseError } from './syntax-error.ts';

/** Options of {@link parseExpr}. */
export interface ParseOptions {
  /**
   * Accept functions and aggregations Prometheus marks experimental (`limitk`, `sort_by_label`, ...).
   * Default `true`; with `false` they fail as Prometheus fails without its feature flag.
   */
  readonly experimentalFunctions?: boolean;
}

/**
 * Parses and type-checks a PromQL expression.
 *
 * @throws PromqlError `PROMQL_PARSE` for syntax errors and matcher regexes that do not compile (with
 *   `position` and a caret `excerpt`),
 *   `PROMQL_TYPE` for type errors, `PROMQL_UNSUPPORTED` for feature-flagged Prometheus syntax
 *   (anchored/smoothed/fill modifiers, query-dependent duration expressions).
 * @example
 * ```ts
 * const expr = parseExpr('sum by (job) (rate(http_requests_total[5m]))');
 * expr.type; // 'aggregate'
 * ```
 */
export function parseExpr(text: string, options: ParseOptions = {}): Expr {
  const expr = parseExprUnchecked(text, options);
  const [problem] = checkTypes(expr, text);
  if (problem !== undefined) throw problem;
  return expr;
}

/**
 * The tree of `text` without the type checker, for tools that list every type error themselves
 * (`validateExpr`). Syntax errors still throw.
 */
export function parseExprUnchecked(text: string, options: ParseOptions = {}): Expr {
  const normalized = normalizeTrailingDots(text);
  const tree = promqlParser.parse(normalized);
  const syntaxError = findSyntaxError(text, tree);
  if (syntaxError !== undefined) throw syntaxError;
  const top = tree.topNode.firstChild;
  if (top === null) throw parseError(text, 'no expression found in input', 0, 0);
  return new AstBuilder(normalized, text, options.experimentalFunctions ?? true).expr(top);
}
