/**
 * The one error class of `@yardstick/promql`. Every failure the package reports (a syntax error, a type
 * error, an evaluation error, a timeout) is a {@link PromqlError} with a literal `code`, so callers branch on
 * `code` and never on message text.
 */

/** What went wrong, as a stable literal. */
export type PromqlErrorCode =
  | 'PROMQL_PARSE'
  | 'PROMQL_TYPE'
  | 'PROMQL_EVAL'
  | 'PROMQL_UNSUPPORTED'
  | 'PROMQL_TIMEOUT'
  | 'PROMQL_TOO_MANY_SAMPLES'
  | 'PROMQL_TEST_FILE';

/** Where in the query text an error sits. `line` and `column` are 1-based; `start`/`end` are offsets. */
export interface PromqlErrorPosition {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** Options of {@link PromqlError}. */
export interface PromqlErrorOptions {
  readonly cause?: unknown;
  /** Position in the query; present for parse and type errors. */
  readonly position?: PromqlErrorPosition;
  /** The query line with a caret under the position, for humans. */
  readonly excerpt?: string;
}

/**
 * The base error of the package.
 *
 * @example
 * ```ts
 * try { parseExpr('sum(') } catch (e) { if (e instanceof PromqlError && e.code === 'PROMQL_PARSE') ... }
 * ```
 */
export class PromqlError extends Error {
  override readonly name = 'PromqlError';
  readonly code: PromqlErrorCode;
  readonly position: PromqlErrorPosition | undefined;
  readonly excerpt: string | undefined;

  constructor(code: PromqlErrorCode, message: string, options: PromqlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.position = options.position;
    this.excerpt = options.excerpt;
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function positionOf(text: string, start: number, end: number = start): PromqlErrorPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end, line, column: start - lineStart + 1 };
}

/** The line of `text` holding `position`, and a caret line under it. */
export function caretExcerpt(text: string, position: PromqlErrorPosition): string {
  const lineStart = position.start - (position.column - 1);
  const newline = text.indexOf('\n', lineStart);
  const lineText = text.slice(lineStart, newline === -1 ? text.length : newline);
  const width = Math.max(1, Math.min(position.end, lineStart + lineText.length) - position.start);
  return `${lineText}\n${' '.repeat(position.column - 1)}${'^'.repeat(width)}`;
}
