/**
 * The error answers of the Prometheus HTTP API: `errorType` and HTTP status as Prometheus's `api/v1` gives
 * them, so clients that branch on them (Grafana, `yardstick export`, remote rule evaluators) behave the same.
 */
import { PromqlError } from '@yardstick/promql';

/** Prometheus's `errorType` values that yardstick answers with. */
export type ApiErrorType =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'unavailable'
  | 'internal'
  | 'not_found';

/** HTTP status of each error type (Prometheus's `api/v1` `returnAPIError`). */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  // Prometheus answers a canceled query with 499 (client closed request); nobody reads it but the logs.
  canceled: 499,
  unavailable: 503,
  internal: 500,
  not_found: 404,
};

/** An API failure with its Prometheus error type. */
export class ApiError extends Error {
  readonly type: ApiErrorType;
  constructor(type: ApiErrorType, message: string) {
    super(message);
    this.name = 'ApiError';
    this.type = type;
  }
}

/** Maps what an evaluation threw onto Prometheus's error types. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof PromqlError) {
    if (error.code === 'PROMQL_TIMEOUT') return new ApiError('timeout', error.message);
    if (error.code === 'PROMQL_PARSE' || error.code === 'PROMQL_TYPE')
      return new ApiError('bad_data', error.message);
    return new ApiError('execution', error.message);
  }
  return new ApiError('internal', error instanceof Error ? error.message : String(error));
}

/** The JSON envelope of an error answer. */
export function errorBody(error: ApiError): string {
  return JSON.stringify({ status: 'error', errorType: error.type, error: error.message });
}
