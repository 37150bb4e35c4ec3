/**
 * The worker's half of the store protocol: a synchronous {@link Queryable} whose selects are answered by
 * the main thread's embedded store (see `store-select-server.ts`). The worker posts a request and sleeps on
 * a shared counter (`Atomics.wait`) until the answer is in its port, then takes it with
 * `receiveMessageOnPort`; the port never gets a listener, so answers are only ever read this way.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import {
  FloatHistogram,
  type FloatHistogramInit,
  type LabelMatcher,
  PromqlError,
  type Queryable,
  type SeriesSamples,
} from '@yardstick/promql';
import { ANSWERS, type StoreBatch, type StoreRequest } from './store-select-protocol.ts';

/** A {@link Queryable} over the main thread's store, valid until `deadline` (epoch milliseconds). */
export class PortQueryable implements Queryable {
  readonly #port: MessagePort;
  readonly #answers: Int32Array;
  readonly #deadline: number;
  #nextCursor = 0;

  constructor(port: MessagePort, answers: Int32Array, deadline: number) {
    this.#port = port;
    this.#answers = answers;
    this.#deadline = deadline;
  }

  *select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples> {
    const cursor = this.#nextCursor++;
    let batch = this.#ask({ op: 'open', cursor, matchers: plainMatchers(matchers), minT, maxT });
    try {
      for (;;) {
        const { labels, offsets, timestamps, values } = batch;
        for (let i = 0; i < labels.length; i++) {
          const from = offsets[i]!;
          const to = offsets[i + 1]!;
          const histograms = batch.histograms?.[i];
          yield {
            labels: labels[i]!,
            timestamps: timestamps.subarray(from, to),
            values: values.subarray(from, to),
            histograms: histograms === undefined ? undefined : histograms.map(toFloatHistogram),
          };
        }
        if (batch.done) return;
        batch = this.#ask({ op: 'next', cursor });
      }
    } finally {
      // The engine may stop reading early (an error, a limit): let the main thread drop the cursor.
      if (!batch.done) this.#port.postMessage({ op: 'close', cursor } satisfies StoreRequest);
    }
  }

  #ask(request: StoreRequest): StoreBatch {
    const before = Atomics.load(this.#answers, ANSWERS);
    this.#port.postMessage(request);
    for (;;) {
      const message = receiveMessageOnPort(this.#port);
      if (message !== undefined) {
        const batch = message.message as StoreBatch;
        if (batch.error !== undefined)
          throw new PromqlError('PROMQL_EVAL', `store read failed: ${batch.error}`);
        return batch;
      }
      const left = this.#deadline - Date.now();
      if (left <= 0) throw new PromqlError('PROMQL_TIMEOUT', 'query timed out in expression evaluation');
      // Sleeps until the main thread bumps the counter past `before` (or returns at once if it already has).
      Atomics.wait(this.#answers, ANSWERS, before, Math.min(left, 1_000));
    }
  }
}

/** A histogram as structured clone delivered it (its fields) back into the engine's class. */
function toFloatHistogram(fields: FloatHistogramInit | undefined): FloatHistogram | undefined {
  return fields === undefined ? undefined : new FloatHistogram(fields);
}

/** Matchers as plain data: compiled matchers may carry functions or regexes that cannot cross threads. */
function plainMatchers(matchers: readonly LabelMatcher[]): LabelMatcher[] {
  return matchers.map(({ type, name, value }) => ({ type, name, value }));
}
