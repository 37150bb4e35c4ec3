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
import { ByteReader, ByteWriter } from './byte-codec.ts';

const HINTS: readonly CounterResetHint[] = ['unknown', 'counter-reset', 'not-counter-reset', 'gauge'];
const INTEGER_COUNTS = 1;
// Zigzag doubles a difference: below 2^52 its varint stays exact in a float64.
const MAX_INTEGER_COUNT = 2 ** 51;

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

/** Whether `c` is a count a zigzag varint (of it, or of its difference to another such count) holds exactly. */
export const isSmallCount = (c: number): boolean => Number.isInteger(c) && c >= 0 && c < MAX_INTEGER_COUNT;

/** The row bytes of `h`. */
export function encodeHistogramRow(h: FloatHistogram): Uint8Array {
  const out = new ByteWriter();
  writeHistogram(out, h);
  return out.bytes();
}

/** `h` in the row layout, appended to `out`. */
export function writeHistogram(out: ByteWriter, h: FloatHistogram): void {
  const integer = h.positiveBuckets.every(isSmallCount) && h.negativeBuckets.every(isSmallCount);
  out.byte(integer ? INTEGER_COUNTS : 0);
  writeHint(out, h.counterResetHint);
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
}

/** A counter reset hint as one byte. */
export function writeHint(out: ByteWriter, hint: CounterResetHint): void {
  out.byte(HINTS.indexOf(hint));
}

/** A hint written by {@link writeHint}; an unknown byte reads as `unknown`. */
export function readHint(input: ByteReader): CounterResetHint {
  return HINTS[input.byte()] ?? 'unknown';
}

/**
 * The histogram of a row written by {@link encodeHistogramRow}.
 * @throws RangeError when the bytes end early (a damaged row; the caller skips it).
 */
export function decodeHistogramRow(bytes: Uint8Array): FloatHistogram {
  return readHistogram(new ByteReader(bytes));
}

/**
 * A histogram written by {@link writeHistogram}, read from `input`.
 * @throws RangeError when the bytes end early.
 */
export function readHistogram(input: ByteReader): FloatHistogram {
  const integer = (input.byte() & INTEGER_COUNTS) !== 0;
  const counterResetHint = readHint(input);
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
