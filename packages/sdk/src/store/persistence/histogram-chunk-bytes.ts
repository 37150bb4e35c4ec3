/**
 * A sealed run of one series' native histogram samples (a `histogram_chunks` row, see store-persistence.ts).
 *
 * Each sample: the varint gap to the previous timestamp (0 for the first, which is the row's `min_t`), then
 * a kind byte. Kind 0 is the whole histogram in the row layout (histogram-row.ts). Kind 1, when the layout
 * (schema, zero threshold, spans, custom bounds) is the previous sample's and every count is a small
 * integer in both: the hint, zigzag varints of the zero count's and the count's change, the sum as float64,
 * and each bucket's change since the previous sample. A cumulative histogram's buckets grow by little
 * between two collections, so a bucket takes about a byte, as in Prometheus's histogram chunks.
 */
import { FloatHistogram, type Span } from '@yardstick/promql';
import { ByteReader, ByteWriter } from './byte-codec.ts';
import { isSmallCount, readHint, readHistogram, writeHint, writeHistogram } from './histogram-row.ts';

const WHOLE = 0;
const CHANGES = 1;

/** One sample of a chunk. */
export interface TimedHistogram {
  readonly t: number;
  readonly histogram: FloatHistogram;
}

function sameSpans(a: readonly Span[], b: readonly Span[]): boolean {
  return (
    a.length === b.length &&
    a.every((span, i) => span.offset === b[i]!.offset && span.length === b[i]!.length)
  );
}

function integerCounts(h: FloatHistogram): boolean {
  return (
    isSmallCount(h.zeroCount) &&
    isSmallCount(h.count) &&
    h.positiveBuckets.every(isSmallCount) &&
    h.negativeBuckets.every(isSmallCount)
  );
}

/** Whether `h` can be written as its changes since `previous`. */
function continues(previous: FloatHistogram, h: FloatHistogram): boolean {
  return (
    h.schema === previous.schema &&
    Object.is(h.zeroThreshold, previous.zeroThreshold) &&
    sameSpans(h.positiveSpans, previous.positiveSpans) &&
    sameSpans(h.negativeSpans, previous.negativeSpans) &&
    h.customValues.length === previous.customValues.length &&
    h.customValues.every((bound, i) => Object.is(bound, previous.customValues[i])) &&
    integerCounts(h) &&
    integerCounts(previous)
  );
}

function writeChanges(out: ByteWriter, now: readonly number[], before: readonly number[]): void {
  for (let i = 0; i < now.length; i++) out.zigzag(now[i]! - before[i]!);
}

function readChanges(input: ByteReader, before: readonly number[]): number[] {
  const now: number[] = new Array(before.length);
  for (let i = 0; i < before.length; i++) now[i] = before[i]! + input.zigzag();
  return now;
}

/** The chunk bytes of `samples` (one series, ascending timestamps). */
export function encodeHistogramChunk(samples: readonly TimedHistogram[]): Uint8Array {
  const out = new ByteWriter();
  let previous: TimedHistogram | undefined;
  for (const sample of samples) {
    const h = sample.histogram;
    out.varint(previous === undefined ? 0 : sample.t - previous.t);
    if (previous === undefined || !continues(previous.histogram, h)) {
      out.byte(WHOLE);
      writeHistogram(out, h);
    } else {
      const p = previous.histogram;
      out.byte(CHANGES);
      writeHint(out, h.counterResetHint);
      out.zigzag(h.zeroCount - p.zeroCount);
      out.zigzag(h.count - p.count);
      out.float(h.sum);
      writeChanges(out, h.positiveBuckets, p.positiveBuckets);
      writeChanges(out, h.negativeBuckets, p.negativeBuckets);
    }
    previous = sample;
  }
  return out.bytes();
}

/**
 * The `count` samples of a chunk row written by {@link encodeHistogramChunk}, the first at `minT`.
 * @throws RangeError when the bytes end early or hold an unknown kind (a damaged row).
 */
export function decodeHistogramChunk(bytes: Uint8Array, minT: number, count: number): TimedHistogram[] {
  const input = new ByteReader(bytes);
  const samples: TimedHistogram[] = [];
  let t = minT;
  let previous: FloatHistogram | undefined;
  for (let i = 0; i < count; i++) {
    t += input.varint();
    const kind = input.byte();
    let h: FloatHistogram;
    if (kind === WHOLE) h = readHistogram(input);
    else if (kind === CHANGES && previous !== undefined) {
      const counterResetHint = readHint(input);
      const zeroCount = previous.zeroCount + input.zigzag();
      const histogramCount = previous.count + input.zigzag();
      const sum = input.float();
      h = new FloatHistogram({
        counterResetHint,
        schema: previous.schema,
        zeroThreshold: previous.zeroThreshold,
        zeroCount,
        count: histogramCount,
        sum,
        positiveSpans: previous.positiveSpans,
        negativeSpans: previous.negativeSpans,
        positiveBuckets: readChanges(input, previous.positiveBuckets),
        negativeBuckets: readChanges(input, previous.negativeBuckets),
        customValues: previous.customValues,
      });
    } else throw new RangeError(`histogram chunk: unknown sample kind ${kind}`);
    samples.push({ t, histogram: h });
    previous = h;
  }
  return samples;
}
