/**
 * The bytes of one persisted native histogram sample (a `histograms` row, see store-persistence.ts).
 *
 * Layout: a flags byte (bit 0: integer bucket counts), the counter reset hint, the schema (int8); zero
 * threshold, zero count, count and sum as float64; positive then negative spans (varint count, then
 * zigzag-varint offset and varint length each); positive then negative bucket counts, as many as the spans
 * say; custom bounds (varint count, float64 each). Integer counts, which is what the metrics core records,
 * are written as zigzag varints of the difference to the previous bucket, as Prometheus's integer histograms
 * keep them: neighbouring buckets hold similar counts, so most take one or two bytes instead of eight.
 */
import { type CounterResetHint, FloatHistogram, type Span } from '@yardstick/promql';

const HINTS: readonly CounterResetHint[] = ['unknown', 'counter-reset', 'not-counter-reset', 'gauge'];
const INTEGER_COUNTS = 1;
// Zigzag doubles a difference: below 2^52 its varint stays exact in a float64.
const MAX_INTEGER_COUNT = 2 ** 51;

/** Grows as it is written; `bytes()` is the written part. */
class ByteWriter {
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #at = 0;

  #reserve(n: number): void {
    if (this.#at + n <= this.#buffer.length) return;
    const bigger = new Uint8Array(Math.max(this.#buffer.length * 2, this.#at + n));
    bigger.set(this.#buffer);
    this.#buffer = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#at++] = value & 0xff;
  }

  float(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#at, value, true);
    this.#at += 8;
  }

  /** An unsigned integer up to 2^53, 7 bits per byte (arithmetic, not bit operators, past 32 bits). */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  zigzag(value: number): void {
    this.varint(value >= 0 ? 2 * value : -2 * value - 1);
  }

  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#at);
  }
}

class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  byte(): number {
    if (this.#at >= this.#bytes.length) throw new RangeError('histogram row ends early');
    return this.#bytes[this.#at++]!;
  }

  float(): number {
    const value = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    return value;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

function writeSpans(out: ByteWriter, spans: readonly Span[]): void {
  out.varint(spans.length);
  for (const { offset, length } of spans) {
    out.zigzag(offset);
    out.varint(length);
  }
}

function readSpans(input: ByteReader): Span[] {
  const spans: Span[] = new Array(input.varint());
  for (let i = 0; i < spans.length; i++) spans[i] = { offset: input.zigzag(), length: input.varint() };
  return spans;
}

function writeCounts(out: ByteWriter, counts: readonly number[], integer: boolean): void {
  let previous = 0;
  for (const count of counts) {
    if (integer) out.zigzag(count - previous);
    else out.float(count);
    previous = count;
  }
}

function readCounts(input: ByteReader, spans: readonly Span[], integer: boolean): number[] {
  let n = 0;
  for (const span of spans) n += span.length;
  const counts: number[] = new Array(n);
  let previous = 0;
  for (let i = 0; i < n; i++) {
    previous = integer ? previous + input.zigzag() : input.float();
    counts[i] = previous;
  }
  return counts;
}

const isSmallCount = (c: number): boolean => Number.isInteger(c) && c >= 0 && c < MAX_INTEGER_COUNT;

/** The row bytes of `h`. */
export function encodeHistogramRow(h: FloatHistogram): Uint8Array {
  const integer = h.positiveBuckets.every(isSmallCount) && h.negativeBuckets.every(isSmallCount);
  const out = new ByteWriter();
  out.byte(integer ? INTEGER_COUNTS : 0);
  out.byte(HINTS.indexOf(h.counterResetHint));
  out.byte(h.schema);
  out.float(h.zeroThreshold);
  out.float(h.zeroCount);
  out.float(h.count);
  out.float(h.sum);
  writeSpans(out, h.positiveSpans);
  writeSpans(out, h.negativeSpans);
  writeCounts(out, h.positiveBuckets, integer);
  writeCounts(out, h.negativeBuckets, integer);
  out.varint(h.customValues.length);
  for (const bound of h.customValues) out.float(bound);
  return out.bytes();
}

/**
 * The histogram of a row written by {@link encodeHistogramRow}.
 * @throws RangeError when the bytes end early (a damaged row; the caller skips it).
 */
export function decodeHistogramRow(bytes: Uint8Array): FloatHistogram {
  const input = new ByteReader(bytes);
  const integer = (input.byte() & INTEGER_COUNTS) !== 0;
  const counterResetHint = HINTS[input.byte()] ?? 'unknown';
  // The schema byte is an int8: -53 (custom buckets) is written as 203.
  const schema = (input.byte() << 24) >> 24;
  const zeroThreshold = input.float();
  const zeroCount = input.float();
  const count = input.float();
  const sum = input.float();
  const positiveSpans = readSpans(input);
  const negativeSpans = readSpans(input);
  const positiveBuckets = readCounts(input, positiveSpans, integer);
  const negativeBuckets = readCounts(input, negativeSpans, integer);
  const customValues: number[] = new Array(input.varint());
  for (let i = 0; i < customValues.length; i++) customValues[i] = input.float();
  return new FloatHistogram({
    counterResetHint,
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    positiveSpans,
    negativeSpans,
    positiveBuckets,
    negativeBuckets,
    customValues,
  });
}
