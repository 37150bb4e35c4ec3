/**
 * The main thread's half of the store protocol: answers a query worker's select requests from the
 * embedded store, a bounded batch per request, so that a query selecting millions of samples never holds
 * the event loop for more than one batch.
 */
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { FloatHistogramInit, Labels, Queryable, SeriesSamples } from '@yardstick/promql';
import { ANSWERS, type StoreBatch, type StoreRequest } from './store-select-protocol.ts';

// A batch ends at 65,536 samples, 1,024 series or 4 ms of decoding, whichever comes first. Measured on the
// loaded 2-core machine: 65,536 samples took 20-67 ms to decode and pack (a day-long range over 2k series
// then held the loop 240 ms at worst); with the 4 ms budget the longest pause is one budget plus one series.
const BATCH_SAMPLES = 65_536;
const BATCH_SERIES = 1_024;
const BATCH_BUDGET_MS = 4;

/** Serves one worker's selects until {@link StoreSelectServer.close}. */
export interface StoreSelectServer {
  close(): void;
}

/**
 * Answers `StoreRequest`s arriving on `port` from `store`, bumping `answers[ANSWERS]` after each answer so
 * the sleeping worker wakes.
 */
export function serveStoreSelects(
  store: Queryable,
  port: MessagePort,
  answers: Int32Array,
): StoreSelectServer {
  const cursors = new Map<number, Iterator<SeriesSamples>>();
  const reply = (batch: StoreBatch, transfer: ArrayBuffer[]): void => {
    port.postMessage(batch, transfer);
    Atomics.add(answers, ANSWERS, 1);
    Atomics.notify(answers, ANSWERS);
  };
  port.on('message', (request: StoreRequest) => {
    if (request.op === 'close') {
      cursors.get(request.cursor)?.return?.();
      cursors.delete(request.cursor);
      return;
    }
    try {
      let cursor = cursors.get(request.cursor);
      if (request.op === 'open') {
        cursor = store.select(request.matchers, request.minT, request.maxT)[Symbol.iterator]();
        cursors.set(request.cursor, cursor);
      }
      if (cursor === undefined) throw new Error(`unknown store cursor ${request.cursor}`);
      const batch = nextBatch(cursor);
      if (batch.done) cursors.delete(request.cursor);
      reply(batch, [batch.offsets.buffer, batch.timestamps.buffer, batch.values.buffer] as ArrayBuffer[]);
    } catch (error) {
      cursors.delete(request.cursor);
      const empty = emptyBatch(error instanceof Error ? error.message : String(error));
      reply(empty, []);
    }
  });
  return {
    close() {
      for (const cursor of cursors.values()) cursor.return?.();
      cursors.clear();
      port.close();
    },
  };
}

function emptyBatch(error: string): StoreBatch {
  return {
    labels: [],
    offsets: new Uint32Array(1),
    timestamps: new Float64Array(0),
    values: new Float64Array(0),
    done: true,
    error,
  };
}

/** Reads series from `cursor` until a batch is full, then packs them (copies: store arrays may be views). */
function nextBatch(cursor: Iterator<SeriesSamples>): StoreBatch {
  const taken: SeriesSamples[] = [];
  let samples = 0;
  let done = false;
  const deadline = performance.now() + BATCH_BUDGET_MS;
  while (samples < BATCH_SAMPLES && taken.length < BATCH_SERIES && performance.now() < deadline) {
    const next = cursor.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    samples += next.value.timestamps.length;
    // A histogram sample weighs about as much as a float sample per bucket.
    for (const h of next.value.histograms ?? []) {
      if (h !== undefined) samples += h.positiveBuckets.length + h.negativeBuckets.length;
    }
  }
  let total = 0;
  for (const series of taken) total += series.timestamps.length;
  const labels: Labels[] = new Array(taken.length);
  const offsets = new Uint32Array(taken.length + 1);
  const timestamps = new Float64Array(total);
  const values = new Float64Array(total);
  let histograms: (readonly (FloatHistogramInit | undefined)[] | undefined)[] | undefined;
  let at = 0;
  for (let i = 0; i < taken.length; i++) {
    const series = taken[i]!;
    labels[i] = series.labels;
    timestamps.set(series.timestamps, at);
    values.set(series.values, at);
    at += series.timestamps.length;
    offsets[i + 1] = at;
    if (series.histograms !== undefined) {
      // Structured clone copies a FloatHistogram's fields (it keeps no private state); the worker rebuilds it.
      histograms ??= new Array(taken.length).fill(undefined);
      histograms[i] = series.histograms;
    }
  }
  return histograms === undefined
    ? { labels, offsets, timestamps, values, done }
    : { labels, offsets, timestamps, values, histograms, done };
}
