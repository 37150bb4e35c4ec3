/**
 * How a worker thread finds the main thread's pipeline. Ports cannot travel over a `BroadcastChannel`, so
 * the thread creates a `MessageChannel` and sends one end to the main thread (threadId 0) with
 * `postMessageToThread`, tagged as a hello. The main thread's `startTelemetry()` listens for hellos on
 * `process`'s `workerMessage` event and answers on the port with a welcome that says how to report (the
 * histogram aggregations its readers use, the report interval); cluster reports then flow over the port.
 */
import type { MessagePort } from 'node:worker_threads';
import type { HistogramAggregationName } from './cluster-report.ts';

/** The tag of a thread's hello among an application's own `workerMessage`s. */
export const THREAD_HELLO_TAG = 'yardstick.thread.hello';

/** The tag of the main thread's answer on the port. */
export const THREAD_WELCOME_TAG = 'yardstick.thread.welcome';

/** Handshake format version; each side ignores versions it does not know. */
export const THREAD_HANDSHAKE_VERSION = 1;

/** What a worker thread sends the main thread (the port is transferred). */
export interface ThreadHello {
  readonly yardstick: typeof THREAD_HELLO_TAG;
  readonly version: number;
  readonly port: MessagePort;
}

/** The main thread's answer: how the thread reports. */
export interface ThreadWelcome {
  readonly yardstick: typeof THREAD_WELCOME_TAG;
  readonly version: number;
  readonly histogramAggregations: readonly HistogramAggregationName[];
  readonly reportIntervalMs: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` is a hello this version understands. */
export function isThreadHello(value: unknown): value is ThreadHello {
  return (
    isRecord(value) &&
    value.yardstick === THREAD_HELLO_TAG &&
    value.version === THREAD_HANDSHAKE_VERSION &&
    isRecord(value.port) &&
    typeof value.port.postMessage === 'function'
  );
}

/** Whether `value` is a welcome this version understands. */
export function isThreadWelcome(value: unknown): value is ThreadWelcome {
  return (
    isRecord(value) &&
    value.yardstick === THREAD_WELCOME_TAG &&
    value.version === THREAD_HANDSHAKE_VERSION &&
    Array.isArray(value.histogramAggregations) &&
    value.histogramAggregations.length > 0 &&
    value.histogramAggregations.every((name) => name === 'explicit' || name === 'exponential') &&
    typeof value.reportIntervalMs === 'number' &&
    Number.isFinite(value.reportIntervalMs) &&
    value.reportIntervalMs >= 100
  );
}
