/**
 * The one error family of the job orchestrator. Callers branch on `code`, never on message text; the
 * underlying error (a socket error from ioredis, say) stays in the standard `cause`.
 */

/** What went wrong, as a literal union so a `switch` over it is exhaustive. */
export type OrchestratorErrorCode =
  | 'REDIS_UNAVAILABLE'
  | 'JOB_TIMEOUT'
  | 'UNKNOWN_QUEUE'
  | 'INVALID_OPTIONS'
  | 'SERVER_START';

/** The base error of the job orchestrator. */
export class OrchestratorError extends Error {
  /** What kind of failure this is. */
  readonly code: OrchestratorErrorCode;

  /**
   * @param code - the kind of failure
   * @param message - what a user reads: names the queue or the Redis host at fault, never a password
   * @param options - the standard `cause`
   */
  constructor(code: OrchestratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrchestratorError';
    this.code = code;
  }
}
