/**
 * The one error class of the gateway example. Only start-up can fail (an invalid routing table); serving a
 * request never throws: a failing backend becomes a fallback or a 502 answer.
 */

/** What went wrong, as a literal union so a `switch` over it is exhaustive. */
export type GatewayErrorCode = 'GATEWAY_CONFIG_INVALID';

/** The base error of the gateway example, with a literal `code` and the standard `cause`. */
export class GatewayError extends Error {
  /** What kind of failure this is. */
  readonly code: GatewayErrorCode;

  /**
   * @param code - the kind of failure
   * @param message - what a user reads: names the setting at fault, never an API key
   * @param options - the standard `cause` (a `ZodError`)
   */
  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}
