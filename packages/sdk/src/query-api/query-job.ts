/**
 * What the main thread hands a query worker, and what comes back. Plain data only: it crosses threads by
 * structured clone.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ApiErrorType } from './api-error.ts';

/** One query as the API asked it. Times are epoch milliseconds. */
export type QueryRequest = {
  /** The PromQL text (empty for `stats`). */
  readonly query: string;
  /** The query must be answered by then, evaluation and serialization included. */
  readonly deadline: number;
} & (
  | { readonly kind: 'instant'; readonly timeMs: number }
  | { readonly kind: 'range'; readonly startMs: number; readonly endMs: number; readonly stepMs: number }
  | { readonly kind: 'stats'; readonly window: string; readonly timeMs: number }
);

/** A {@link QueryRequest} with the pool's limits and the store channel, as a worker gets it. */
export type QueryJob = QueryRequest & {
  readonly id: number;
  readonly lookbackDeltaMs: number | undefined;
  readonly maxSamples: number;
  readonly maxResponseBytes: number;
  /** The worker's end of the store channel (transferred). */
  readonly storePort: MessagePort;
  /** `Int32Array` over a SharedArrayBuffer: the main thread bumps it after each store answer. */
  readonly answers: Int32Array;
};

/** The worker's answer: a finished JSON body, or an API error. */
export type QueryOutcome =
  | { readonly id: number; readonly ok: true; readonly body: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly type: ApiErrorType; readonly message: string };
