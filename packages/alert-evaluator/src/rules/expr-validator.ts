/**
 * The hook rule validation uses to check PromQL: the embedded parser by default, or any other (a remote
 * Prometheus dialect, a test double).
 */

/** What a validator learned about one expression. */
export interface ExprCheck {
  /** A syntax or type error, in the parser's words. */
  readonly error?: string;
  /** The expression's type, when it parsed. */
  readonly type?: 'scalar' | 'vector' | 'matrix' | 'string';
  /** Metric names of the selectors in the expression (for the unknown-metric check). */
  readonly metricNames?: readonly string[];
}

/** Checks one PromQL expression. */
export type ExprValidator = (expr: string) => ExprCheck;
