/**
 * A chunk of native histogram samples with one bucket layout, compressed as Prometheus's histogram chunks
 * (`tsdb/chunkenc/histogram.go`, `float_histogram.go`):
 * - the layout (schema, zero threshold, spans, custom bounds) and the counter reset hints are kept once per
 *   chunk, beside the bits;
 * - timestamps: delta of delta, as varbit integers;
 * - integer histograms (every count a whole number, as from the SDK and scrapes): count and zero count as
 *   delta of delta, each bucket as the change of its delta to the bucket before it (the protobuf deltas)
 *   against the previous sample's, all varbit integers; a bucket whose neighbour grew alike costs 1 bit;
 * - float histograms (rates, fractional counts): every count XORed with its previous value;
 * - the sum XORed with the previous sum in both.
 * A sample with another layout, kind or hint, or a full chunk (120 samples, or 1 KiB and 10 samples),
 * starts a new chunk.
 */
import { type CounterResetHint, FloatHistogram } from '../histogram/float-histogram.ts';
import { sameSpans } from '../histogram/span.ts';
import { BitWriter } from './bit-writer.ts';
import { BitCursor, readVarbitInt, writeVarbitInt, XorValue } from './varbit.ts';

/** Most samples per histogram chunk, as for float chunks. */
export const histogramSamplesPerChunk = 120;

/**
 * A chunk is also full at this many bytes once it holds {@link minSamplesPerSizedChunk} samples, as
 * Prometheus sizes its histogram chunks (`TargetBytesPerHistogramChunk`, `MinSamplesPerHistogramChunk`):
 * samples of many buckets otherwise make chunks of several KiB, and a query of the last minutes decodes
 * the whole chunk up to them (measured: `rate(x[5m])` over 32-bucket series decoded ~120 samples for 20).
 */
export const histogramChunkTargetBytes = 1024;
const minSamplesPerSizedChunk = 10;

// Counts above this are stored as floats: deltas of deltas of larger integers could leave the safe range.
const maxIntegerCount = 2 ** 50;

/** A rough cost of a chunk object with its layout, beside its bytes (V8 objects and arrays). */
const chunkOverheadBytes = 160;

function isIntegerCount(value: number): boolean {
  // -0 is a float: a varbit integer would read it back as 0.
  return Number.isInteger(value) && value >= 0 && value <= maxIntegerCount && !Object.is(value, -0);
}

function allIntegers(h: FloatHistogram): boolean {
  if (!isIntegerCount(h.count) || !isIntegerCount(h.zeroCount)) return false;
  for (const v of h.positiveBuckets) if (!isIntegerCount(v)) return false;
  for (const v of h.negativeBuckets) if (!isIntegerCount(v)) return false;
  return true;
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The bucket counts of both sides, positive first: the order the chunk writes them in. */
function bucketsOf(h: FloatHistogram, out: Float64Array): void {
  out.set(h.positiveBuckets);
  out.set(h.negativeBuckets, h.positiveBuckets.length);
}

/** `counts[from..to)` as a new plain array, the type a histogram's buckets have. */
function bucketArray(counts: Float64Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = counts[i]!;
  return out;
}

/** One histogram chunk: its layout, hints and time range, and the compressed samples. */
export class HistogramChunk {
  readonly minT: number;
  maxT: number;
  count = 1;
  /** Hint of the first sample; samples after it share {@link HistogramChunk.tailHint}. */
  readonly headHint: CounterResetHint;
  tailHint: CounterResetHint | undefined;
  readonly integer: boolean;
  readonly #layout: FloatHistogram;
  readonly #positiveCount: number;
  readonly #bucketCount: number;
  #writer: BitWriter | undefined = new BitWriter(16);
  /** The exact bytes once sealed: the writer's spare capacity and the encoder state are let go. */
  #sealed: Uint8Array | undefined;
  // Encoder state: what the next sample is coded against.
  #tDelta = 0;
  #countValue: number;
  #countDelta = 0;
  #zeroValue: number;
  #zeroDelta = 0;
  readonly #sum = new XorValue();
  readonly #countXor = new XorValue();
  readonly #zeroXor = new XorValue();
  #bucketXors: XorValue[] = [];
  /** Integer chunks: the previous sample's in-sample bucket deltas. */
  #previous: Float64Array;
  /** The sample being written's bucket counts. */
  #current: Float64Array;

  /** Starts a chunk with its first sample. */
  constructor(timestampMs: number, h: FloatHistogram) {
    this.minT = timestampMs;
    this.maxT = timestampMs;
    this.headHint = h.counterResetHint;
    this.integer = allIntegers(h);
    // The layout is a bucketless copy: the chunk keeps spans and bounds, not the first sample's counts.
    this.#layout = new FloatHistogram({
      schema: h.schema,
      zeroThreshold: h.zeroThreshold,
      positiveSpans: h.positiveSpans,
      negativeSpans: h.negativeSpans,
      customValues: h.customValues,
    });
    this.#positiveCount = h.positiveBuckets.length;
    const buckets = h.positiveBuckets.length + h.negativeBuckets.length;
    this.#bucketCount = buckets;
    this.#previous = new Float64Array(buckets);
    this.#current = new Float64Array(buckets);
    this.#countValue = h.count;
    this.#zeroValue = h.zeroCount;
    const writer = this.#writer!;
    if (this.integer) {
      writeVarbitInt(writer, h.count);
      writeVarbitInt(writer, h.zeroCount);
    } else {
      this.#countXor.writeFirst(writer, h.count);
      this.#zeroXor.writeFirst(writer, h.zeroCount);
    }
    this.#sum.writeFirst(writer, h.sum);
    bucketsOf(h, this.#current);
    this.#writeBuckets(true);
  }

  /** Bytes held: the bit buffer and an estimate of the objects around it. */
  get byteSize(): number {
    return (
      (this.#sealed?.length ?? this.#writer!.capacity) +
      chunkOverheadBytes +
      8 * (this.#previous.length + this.#current.length) +
      16 * (this.#layout.positiveSpans.length + this.#layout.negativeSpans.length) +
      8 * this.#layout.customValues.length
    );
  }

  /**
   * Ends appending: the chunk keeps its bytes, exactly sized, and lets its encoder state go. The series
   * seals its head chunk when it starts the next one.
   */
  seal(): void {
    if (this.#sealed !== undefined) return;
    this.#sealed = this.#writer!.bytes.slice(0, this.#writer!.byteLength);
    this.#writer = undefined;
    this.#previous = new Float64Array(0);
    this.#current = new Float64Array(0);
    this.#bucketXors = [];
  }

  /**
   * Appends a sample after {@link HistogramChunk.maxT}, when it fits this chunk: same layout and kind
   * (integer or float), the hint the chunk's later samples have, and room left.
   * @returns `false` (nothing written) when the sample needs a new chunk.
   */
  tryAppend(timestampMs: number, h: FloatHistogram): boolean {
    if (this.#sealed !== undefined || this.count >= histogramSamplesPerChunk) return false;
    if (this.count >= minSamplesPerSizedChunk && this.#writer!.byteLength >= histogramChunkTargetBytes) {
      return false;
    }
    if (this.tailHint !== undefined && h.counterResetHint !== this.tailHint) return false;
    const layout = this.#layout;
    if (
      h.schema !== layout.schema ||
      !Object.is(h.zeroThreshold, layout.zeroThreshold) ||
      !sameSpans(h.positiveSpans, layout.positiveSpans) ||
      !sameSpans(h.negativeSpans, layout.negativeSpans) ||
      !sameValues(h.customValues, layout.customValues) ||
      h.positiveBuckets.length !== this.#positiveCount ||
      h.positiveBuckets.length + h.negativeBuckets.length !== this.#bucketCount
    ) {
      return false;
    }
    if (this.integer !== allIntegers(h)) return false;
    const writer = this.#writer!;
    const tDelta = timestampMs - this.maxT;
    writeVarbitInt(writer, tDelta - this.#tDelta);
    this.#tDelta = tDelta;
    if (this.integer) {
      const countDelta = h.count - this.#countValue;
      writeVarbitInt(writer, countDelta - this.#countDelta);
      this.#countDelta = countDelta;
      const zeroDelta = h.zeroCount - this.#zeroValue;
      writeVarbitInt(writer, zeroDelta - this.#zeroDelta);
      this.#zeroDelta = zeroDelta;
    } else {
      this.#countXor.write(writer, h.count);
      this.#zeroXor.write(writer, h.zeroCount);
    }
    this.#countValue = h.count;
    this.#zeroValue = h.zeroCount;
    this.#sum.write(writer, h.sum);
    bucketsOf(h, this.#current);
    this.#writeBuckets(false);
    this.tailHint = h.counterResetHint;
    this.maxT = timestampMs;
    this.count++;
    return true;
  }

  #writeBuckets(first: boolean): void {
    const writer = this.#writer!;
    const current = this.#current;
    const previous = this.#previous;
    if (!this.integer) {
      for (let i = 0; i < current.length; i++) {
        if (first) {
          const xor = new XorValue();
          this.#bucketXors.push(xor);
          xor.writeFirst(writer, current[i]!);
        } else {
          this.#bucketXors[i]!.write(writer, current[i]!);
        }
      }
      return;
    }
    let before = 0;
    for (let i = 0; i < current.length; i++) {
      // Each side's deltas start from zero, as in the protobuf exposition.
      if (i === this.#positiveCount) before = 0;
      const delta = current[i]! - before;
      before = current[i]!;
      writeVarbitInt(writer, first ? delta : delta - previous[i]!);
      previous[i] = delta;
    }
  }

  /**
   * Decodes the samples with timestamps in `[minT, maxT]`, calling `visit` for each in time order with a new
   * histogram the caller may keep.
   */
  decode(minT: number, maxT: number, visit: (timestampMs: number, h: FloatHistogram) => void): void {
    const cursor = new BitCursor(this.#sealed ?? this.#writer!.bytes);
    const layout = this.#layout;
    const integer = this.integer;
    const positiveCount = this.#positiveCount;
    const bucketCount = this.#bucketCount;
    const buckets = new Float64Array(bucketCount);
    const deltas = new Float64Array(this.#bucketCount);
    const bucketXors: XorValue[] = [];
    if (!this.integer) for (let b = 0; b < buckets.length; b++) bucketXors.push(new XorValue());
    const sum = new XorValue();
    const countXor = new XorValue();
    const zeroXor = new XorValue();
    let t = this.minT;
    let tDelta = 0;
    let count = 0;
    let countDelta = 0;
    let zero = 0;
    let zeroDelta = 0;
    let sumValue = 0;
    for (let i = 0; i < this.count; i++) {
      const first = i === 0;
      if (!first) {
        tDelta += readVarbitInt(cursor);
        t += tDelta;
      }
      if (integer) {
        if (first) {
          count = readVarbitInt(cursor);
          zero = readVarbitInt(cursor);
        } else {
          countDelta += readVarbitInt(cursor);
          count += countDelta;
          zeroDelta += readVarbitInt(cursor);
          zero += zeroDelta;
        }
      } else {
        count = first ? countXor.readFirst(cursor) : countXor.read(cursor);
        zero = first ? zeroXor.readFirst(cursor) : zeroXor.read(cursor);
      }
      sumValue = first ? sum.readFirst(cursor) : sum.read(cursor);
      // Kept for speed: the kind test and the private fields read once per chunk, not once per bucket.
      if (integer) {
        let before = 0;
        for (let b = 0; b < bucketCount; b++) {
          if (b === positiveCount) before = 0;
          const delta = first ? readVarbitInt(cursor) : deltas[b]! + readVarbitInt(cursor);
          deltas[b] = delta;
          before += delta;
          buckets[b] = before;
        }
      } else {
        for (let b = 0; b < bucketCount; b++) {
          buckets[b] = first ? bucketXors[b]!.readFirst(cursor) : bucketXors[b]!.read(cursor);
        }
      }
      if (t > maxT) return;
      if (t < minT) continue;
      const h = new FloatHistogram({
        counterResetHint: first ? this.headHint : (this.tailHint as CounterResetHint),
        schema: layout.schema,
        zeroThreshold: layout.zeroThreshold,
        zeroCount: zero,
        count,
        sum: sumValue,
        positiveSpans: layout.positiveSpans,
        negativeSpans: layout.negativeSpans,
        customValues: layout.customValues,
      });
      // Measured: filling the sample's own arrays here, rather than handing the constructor copies to copy
      // again, took decoding 241k histograms of 32 buckets from ~630 to ~270 ms of CPU.
      h.positiveBuckets = bucketArray(buckets, 0, positiveCount);
      h.negativeBuckets = bucketArray(buckets, positiveCount, bucketCount);
      visit(t, h);
    }
  }
}
