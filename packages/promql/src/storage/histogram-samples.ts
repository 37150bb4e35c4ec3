/**
 * The native histogram samples of one series, in compressed {@link HistogramChunk}s. Their timestamps are
 * also in the series' float chunks (as a placeholder value), which keep the series' timeline, order and
 * staleness in one place; these chunks hold the histograms themselves.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { HistogramChunk } from './histogram-chunk.ts';

/** A series' histogram chunks, oldest first; the last one is open for appends. */
export class HistogramSamples {
  #chunks: HistogramChunk[] = [];
  #last: FloatHistogram | undefined;

  /** The newest histogram appended (kept by reference: counter reset detection compares against it). */
  get last(): FloatHistogram | undefined {
    return this.#last;
  }

  /** Timestamp of the newest histogram sample. */
  get lastTime(): number {
    return this.#chunks[this.#chunks.length - 1]?.maxT ?? Number.NEGATIVE_INFINITY;
  }

  /** Whether no sample is held. */
  get isEmpty(): boolean {
    return this.#chunks.length === 0;
  }

  /** Number of chunks. */
  get chunkCount(): number {
    return this.#chunks.length;
  }

  /** Bytes held by every chunk. */
  get byteSize(): number {
    let bytes = 0;
    for (const chunk of this.#chunks) bytes += chunk.byteSize;
    return bytes;
  }

  /** Appends `h` at `timestampMs`, after the newest sample (the caller checks the order). */
  append(timestampMs: number, h: FloatHistogram): void {
    const head = this.#chunks[this.#chunks.length - 1];
    if (head === undefined || !head.tryAppend(timestampMs, h)) {
      head?.seal();
      this.#chunks.push(new HistogramChunk(timestampMs, h));
    }
    this.#last = h;
  }

  /**
   * The histogram at each of `timestamps` (sorted; `undefined` where the series holds a float), or
   * `undefined` when none of them is a histogram. Only the chunks overlapping the window are decoded.
   */
  at(timestamps: Float64Array): (FloatHistogram | undefined)[] | undefined {
    const first = timestamps[0]!;
    const last = timestamps[timestamps.length - 1]!;
    let out: (FloatHistogram | undefined)[] | undefined;
    let i = 0;
    // The first chunk ending at or after the window's start, by binary search: a series kept for weeks
    // holds thousands of chunks, and a query reads only its last few.
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (chunks[mid]!.maxT < first) low = mid + 1;
      else high = mid;
    }
    for (let c = low; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      if (chunk.minT > last) break;
      chunk.decode(first, last, (t, h) => {
        // Histogram times are a subsequence of the window's timestamps: one merge walk places them.
        while (i < timestamps.length && timestamps[i]! < t) i++;
        if (timestamps[i] !== t) return;
        out ??= new Array<FloatHistogram | undefined>(timestamps.length).fill(undefined);
        out[i++] = h;
      });
    }
    return out;
  }

  /** Drops the chunks whose samples are all before `t`. */
  dropBefore(t: number): void {
    let n = 0;
    while (n < this.#chunks.length && this.#chunks[n]!.maxT < t) n++;
    if (n === 0) return;
    this.#chunks = this.#chunks.slice(n);
    if (this.#chunks.length === 0) this.#last = undefined;
  }
}
