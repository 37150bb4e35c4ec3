/**
 * The `error_type` values of `nexus_errors_total` (seed 004 T029, data model "Error Metric"), and how the
 * gateway's outcomes map onto them.
 */

/** Nexus's `ErrorType` enum in its label form. */
export type NexusErrorType =
  | 'timeout'
  | 'backend_error'
  | 'no_backend'
  | 'no_healthy_backend'
  | 'parse_error'
  | 'other';

/**
 * The error type of a failed backend attempt, from the gateway's attempt failure (`timeout`, a backend's
 * HTTP status, a connection error code, `invalid_response`, `cancelled`): a timeout is `timeout`, an answer
 * that is not a chat completion is `parse_error`, the client going away is `other`, and everything the
 * backend did wrong (5xx, 429, refused connection, reset) is `backend_error`.
 */
export function nexusErrorType(attemptFailure: string): NexusErrorType {
  switch (attemptFailure) {
    case 'timeout':
      return 'timeout';
    case 'invalid_response':
      return 'parse_error';
    case 'cancelled':
      return 'other';
    default:
      return 'backend_error';
  }
}
