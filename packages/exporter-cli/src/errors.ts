/**
 * The one error class of the CLI package. Every failure a user can cause or meet carries a `code` so callers
 * (and tests) branch on it, never on message text.
 */

/** What went wrong, as a literal union so a `switch` over it is exhaustive. */
export type CliErrorCode =
  | 'USAGE'
  | 'INVALID_TIME'
  | 'INVALID_DURATION'
  | 'INVALID_FILTER'
  | 'INVALID_QUERY'
  | 'INVALID_CONFIG'
  | 'SOURCE_REQUEST'
  | 'SOURCE_RESPONSE'
  | 'EXPORT_TIMEOUT'
  | 'EXPORT_ABORTED'
  | 'OUTPUT_WRITE'
  | 'INPUT_MISSING'
  | 'INPUT_READ';

/**
 * An error raised by the CLI or its library functions. `code` says what kind; `cause` keeps the underlying
 * error (a `ZodError`, a network error) for debugging without putting it in the one-line message.
 */
export class CliError extends Error {
  /** What kind of failure this is. */
  readonly code: CliErrorCode;

  /**
   * @param code - the kind of failure
   * @param message - one line for the user, naming the flag, file or line at fault
   * @param options - the standard `cause`
   */
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/** Codes that mean the user gave bad input (exit code 2) rather than that the work failed (exit code 1). */
const USAGE_CODES: ReadonlySet<CliErrorCode> = new Set([
  'USAGE',
  'INVALID_TIME',
  'INVALID_DURATION',
  'INVALID_FILTER',
  'INVALID_QUERY',
  'INVALID_CONFIG',
  'INPUT_MISSING',
]);

/** Whether `error` is a {@link CliError} caused by bad user input (exit code 2). */
export function isUsageError(error: unknown): boolean {
  return error instanceof CliError && USAGE_CODES.has(error.code);
}
