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
import { durationOnlyCallAt, findSyntaxError, parseError, upperCaseDurationCallAt } from './syntax-error.ts';

/** Options of {@link parseExpr}. */
export interface ParseOptions {
  /**
   * Accept the functions and aggregations Prometheus marks experimental (`limitk`, `limit_ratio`,
   * `sort_by_label`, `info`, `mad_over_time`, `ts_of_*_over_time`, ...), as Prometheus does with
   * `--enable-feature=promql-experimental-functions`. Default `false`: like Prometheus without the flag, a
   * call is a `PROMQL_PARSE` error (`function "info" is not enabled`, `limitk() is experimental and must
   * be enabled with --enable-feature=promql-experimental-functions`).
   */
  readonly experimentalFunctions?: boolean;
  /**
   * Accept `fill(...)`, `fill_left(...)` and `fill_right(...)` on binary operators, as Prometheus does with
   * `--enable-feature=promql-binop-fill-modifiers`. Default `false`: a `PROMQL_PARSE` error, as in
   * Prometheus without the flag.
   */
  readonly binopFillModifiers?: boolean;
}

/**
 * Parses and type-checks a PromQL expression.
 *
 * @throws PromqlError `PROMQL_PARSE` for syntax errors and matcher regexes that do not compile (with
 *   `position` and a caret `excerpt`),
 *   `PROMQL_TYPE` for type errors, `PROMQL_UNSUPPORTED` for feature-flagged Prometheus syntax
 *   (the anchored and smoothed range modifiers).
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
  let normalized = normalizeTrailingDots(text);
  let tree = promqlParser.parse(normalized);
  // A `min_of(`/`max_of(` call outside a duration is re-read as a call of `vector`, a name of the same
  // length that lezer takes with any arguments; the builder reads function names from the user's text.
  // `STEP()` and the like in a duration are re-read in lower case, as lezer knows them.
  let at = durationOnlyCallAt(normalized, tree);
  let upper = upperCaseDurationCallAt(normalized, tree);
  while (at !== undefined || upper !== undefined) {
    if (at !== undefined) {
      normalized = `${normalized.slice(0, at)}vector${normalized.slice(at + 'vector'.length)}`;
    } else if (upper !== undefined) {
      const [start, end] = upper;
      normalized = `${normalized.slice(0, start)}${normalized.slice(start, end).toLowerCase()}${normalized.slice(end)}`;
    }
    tree = promqlParser.parse(normalized);
    at = durationOnlyCallAt(normalized, tree);
    upper = upperCaseDurationCallAt(normalized, tree);
  }
  const syntaxError = findSyntaxError(text, tree);
  if (syntaxError !== undefined) throw syntaxError;
  const top = tree.topNode.firstChild;
  if (top === null) throw parseError(text, 'no expression found in input', 0, 0);
  return new AstBuilder(
    normalized,
    text,
    options.experimentalFunctions ?? false,
    options.binopFillModifiers ?? false,
  ).expr(top);
}
