/**
 * The one error family of `@yardstick/sdk`. Every failure the package reports carries a literal `code`, so
 * callers branch on `code` and never on message text, and the underlying error stays in the standard `cause`.
 */

/** What went wrong, as a literal union so a `switch` over it is exhaustive. */
export type YardstickErrorCode = 'CONFIG_INVALID' | 'CONFIG_FILE' | 'SERVER_START' | 'EXPORT_FAILED';

/**
 * The base error of `@yardstick/sdk`.
 *
 * @example
 * ```ts
 * try { startTelemetry(); } catch (e) { if (e instanceof YardstickError && e.code === 'SERVER_START') ... }
 * ```
 */
export class YardstickError extends Error {
  /** What kind of failure this is. */
  readonly code: YardstickErrorCode;

  /**
   * @param code - the kind of failure
   * @param message - what a user reads: names the setting, file or address at fault, never a secret
   * @param options - the standard `cause` (a `ZodError`, a system error)
   */
  constructor(code: YardstickErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'YardstickError';
    this.code = code;
  }
}
