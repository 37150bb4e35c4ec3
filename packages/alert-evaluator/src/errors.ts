/**
 * The one error class of `@yardstick/alert-evaluator`. Loading, validation and template parsing throw it;
 * evaluation, datasources and notifiers report failures as results instead of throwing.
 */

/** What went wrong, as a stable literal a caller can switch on. */
export type AlertEvaluatorErrorCode =
  | 'RULE_FILE_YAML'
  | 'RULE_FILE_INVALID'
  | 'DURATION_INVALID'
  | 'TEMPLATE_PARSE'
  | 'TEMPLATE_EXEC'
  | 'DATASOURCE_FAILED';

/** One located problem in a rule file: `file:line: path: message`. */
export interface RuleFileProblem {
  readonly file: string;
  /** 1-based line of the offending node, when the YAML position is known. */
  readonly line: number | undefined;
  /** Dotted path inside the document, e.g. `groups.0.rules.2.expr`. */
  readonly path: string;
  readonly message: string;
}

/** Renders a problem the way `promtool check rules` users expect to read it. */
export function formatRuleFileProblem(p: RuleFileProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/** Base error of the package, with a literal-union `code`, the standard `cause` and located problems. */
export class AlertEvaluatorError extends Error {
  override readonly name = 'AlertEvaluatorError';
  readonly code: AlertEvaluatorErrorCode;
  /** Every problem found, for validation errors (empty otherwise). */
  readonly problems: readonly RuleFileProblem[];

  constructor(
    code: AlertEvaluatorErrorCode,
    message: string,
    options: { cause?: unknown; problems?: readonly RuleFileProblem[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}
