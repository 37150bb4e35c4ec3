/**
 * Whole XOR chunks as standalone byte strings, for storage outside the in-memory store (the SDK's node:sqlite
 * persistence keeps sealed chunks as blobs). The bytes are exactly what `MemorySeries` writes for a chunk,
 * produced by the same {@link XorChunkEncoder}; only the first timestamp and the sample count, which the store
 * keeps in its chunk table, travel beside them.
 */
import { BitWriter } from './bit-writer.ts';
import { HIGH_WORD, highWord, LOW_WORD, lowWord } from './float-bits.ts';
import { decodeXorChunk, XorChunkEncoder } from './xor-chunk.ts';

/** Samples of one series, in time order; values keep their NaN payloads (staleness markers) bit-exact. */
export interface ChunkSamples {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/**
 * Encodes `count` samples (strictly increasing whole-millisecond timestamps, at least one) as one XOR chunk.
 * The first timestamp is not in the bytes: keep `timestamps[0]` and `count` beside them for
 * {@link decodeXorChunkBytes}.
 */
export function encodeXorChunkBytes(
  timestamps: Float64Array,
  values: Float64Array,
  count: number,
): Uint8Array {
  // ~1.4 bytes per sample for regular scrapes; the writer grows when a chunk needs more.
  const writer = new BitWriter(16 + count * 2);
  const encoder = new XorChunkEncoder(writer);
  encoder.start(timestamps[0]!, highWord(values[0]!), lowWord());
  for (let i = 1; i < count; i++) encoder.append(timestamps[i]!, highWord(values[i]!), lowWord());
  return writer.bytes.slice(0, writer.byteLength);
}

/** Decodes a chunk written by {@link encodeXorChunkBytes}. */
export function decodeXorChunkBytes(bytes: Uint8Array, firstT: number, count: number): ChunkSamples {
  const values = new Float64Array(count);
  const timestamps = new Float64Array(count);
  const target = {
    timestamps,
    valueWords: new Uint32Array(values.buffer),
    highWord: HIGH_WORD,
    lowWord: LOW_WORD,
  };
  const written = decodeXorChunk(
    bytes,
    0,
    firstT,
    count,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    target,
    0,
  );
  return written === count
    ? { timestamps, values }
    : { timestamps: timestamps.subarray(0, written), values: values.subarray(0, written) };
}
