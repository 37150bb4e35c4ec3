/**
 * Gorilla/Prometheus XOR chunk encoding (Pelkonen et al., "Gorilla", VLDB 2015; Prometheus
 * `tsdb/chunkenc/xor.go`). Timestamps are delta-of-delta coded in the buckets `0` (same step), `10`+14,
 * `110`+17, `1110`+20 and `1111`+64 bits; values are XORed with the previous one and only the meaningful
 * bits are written, reusing the previous leading/trailing-zero window when the new bits fit in it.
 *
 * The first timestamp of a chunk is not in the stream: the series keeps it in its chunk table. The first
 * value is written raw (64 bits); the second timestamp is coded as a delta-of-delta against a delta of 0.
 * Values are handled as two 32-bit words so NaN payloads survive exactly.
 */
import { readBitsAt } from './bit-reader.ts';
import type { BitWriter } from './bit-writer.ts';

const twoPow32 = 4294967296;
// Marks "no leading/trailing window yet", as Prometheus's 0xff.
const noWindow = 0xff;
// Payload sizes of the delta-of-delta buckets, by the number of 1 bits in their prefix.
const bucketSizes = [0, 14, 17, 20];

function trailingZeros32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The state of the open (head) chunk of a series: what the next sample is coded against. */
export class XorChunkEncoder {
  readonly #writer: BitWriter;
  #lastT = 0;
  #lastDelta = 0;
  #lastHigh = 0;
  #lastLow = 0;
  #leading = noWindow;
  #trailing = 0;

  constructor(writer: BitWriter) {
    this.#writer = writer;
  }

  /** Timestamp of the last sample written. */
  get lastTimestamp(): number {
    return this.#lastT;
  }

  /** Starts a new chunk at the writer's current (byte-aligned) position with its first sample. */
  start(timestampMs: number, high: number, low: number): void {
    this.#lastT = timestampMs;
    this.#lastDelta = 0;
    this.#lastHigh = high;
    this.#lastLow = low;
    this.#leading = noWindow;
    this.#trailing = 0;
    this.#writer.writeBits(high, 32);
    this.#writer.writeBits(low, 32);
  }

  /** Appends a sample whose timestamp is after the last one (the caller checks). */
  append(timestampMs: number, high: number, low: number): void {
    const delta = timestampMs - this.#lastT;
    this.#writeDeltaOfDelta(delta - this.#lastDelta);
    this.#lastT = timestampMs;
    this.#lastDelta = delta;
    this.#writeValue(high, low);
  }

  #writeDeltaOfDelta(dod: number): void {
    const writer = this.#writer;
    if (dod === 0) {
      writer.writeBit(0);
    } else if (dod >= -8191 && dod <= 8192) {
      writer.writeBits(0b10, 2);
      writer.writeBits(dod & 0x3fff, 14);
    } else if (dod >= -65535 && dod <= 65536) {
      writer.writeBits(0b110, 3);
      writer.writeBits(dod & 0x1ffff, 17);
    } else if (dod >= -524287 && dod <= 524288) {
      writer.writeBits(0b1110, 4);
      writer.writeBits(dod & 0xfffff, 20);
    } else {
      writer.writeBits(0b1111, 4);
      const high = Math.floor(dod / twoPow32);
      writer.writeBits(high >>> 0, 32);
      writer.writeBits(dod - high * twoPow32, 32);
    }
  }

  #writeValue(high: number, low: number): void {
    const writer = this.#writer;
    const xorHigh = (high ^ this.#lastHigh) >>> 0;
    const xorLow = (low ^ this.#lastLow) >>> 0;
    this.#lastHigh = high;
    this.#lastLow = low;
    if (xorHigh === 0 && xorLow === 0) {
      writer.writeBit(0);
      return;
    }
    writer.writeBit(1);
    let leading = xorHigh !== 0 ? Math.clz32(xorHigh) : 32 + Math.clz32(xorLow);
    const trailing = xorLow !== 0 ? trailingZeros32(xorLow) : 32 + trailingZeros32(xorHigh);
    // The leading count has 5 bits; a longer run of zeros is written as meaningful bits.
    if (leading > 31) leading = 31;
    if (this.#leading !== noWindow && leading >= this.#leading && trailing >= this.#trailing) {
      writer.writeBit(0);
      writeShiftedRight(writer, xorHigh, xorLow, this.#trailing, 64 - this.#leading - this.#trailing);
      return;
    }
    this.#leading = leading;
    this.#trailing = trailing;
    const significant = 64 - leading - trailing;
    writer.writeBit(1);
    writer.writeBits(leading, 5);
    // 64 significant bits do not fit in 6 bits and are written as 0, as Prometheus does.
    writer.writeBits(significant & 63, 6);
    writeShiftedRight(writer, xorHigh, xorLow, trailing, significant);
  }
}

function writeShiftedRight(writer: BitWriter, high: number, low: number, shift: number, count: number): void {
  if (shift === 0) writer.writeBits64(high, low, count);
  else if (shift >= 32) writer.writeBits(high >>> (shift - 32), count);
  else writer.writeBits64(high >>> shift, ((low >>> shift) | (high << (32 - shift))) >>> 0, count);
}

/** Where decoded samples go: timestamps, and values as 32-bit words (see `float-bits.ts`). */
export interface DecodeTarget {
  readonly timestamps: Float64Array;
  readonly valueWords: Uint32Array;
  readonly highWord: number;
  readonly lowWord: number;
}

/**
 * Decodes the `count` samples of the chunk starting at byte `startByte` of `bytes`, keeps those in
 * `[minT, maxT]` and writes them into `target` from index `outIndex`; stops at the first sample after
 * `maxT`.
 * @returns the index after the last sample written.
 */
export function decodeXorChunk(
  bytes: Uint8Array,
  startByte: number,
  firstT: number,
  count: number,
  minT: number,
  maxT: number,
  target: DecodeTarget,
  outIndex: number,
): number {
  const { timestamps, valueWords, highWord, lowWord } = target;
  // The bit position lives in a local and every read is a pure function of it, so V8 keeps it in a register
  // and inlines the reads; measured 20% less decoding time than a reader object with a position field.
  let pos = startByte << 3;
  let out = outIndex;
  let t = firstT;
  let delta = 0;
  let high = readBitsAt(bytes, pos, 32);
  let low = readBitsAt(bytes, pos + 32, 32);
  pos += 64;
  let leading = 0;
  let trailing = 0;
  for (let i = 0; ; ) {
    if (t > maxT) return out;
    if (t >= minT) {
      timestamps[out] = t;
      valueWords[2 * out + highWord] = high;
      valueWords[2 * out + lowWord] = low;
      out++;
    }
    if (++i >= count) return out;
    // Regular scrapes: a `0` delta of delta, then the 2 value control bits, read in one 3-bit peek.
    let control: number;
    const head = readBitsAt(bytes, pos, 3);
    if (head < 0b100) {
      control = head;
      pos++;
    } else {
      // A prefix of up to four 1 bits names the bucket: 10 → 14 bits, 110 → 17, 1110 → 20, 1111 → 64.
      const prefix = readBitsAt(bytes, pos, 4);
      if (prefix === 0b1111) {
        const dodHigh = readBitsAt(bytes, pos + 4, 32) | 0;
        delta += dodHigh * twoPow32 + readBitsAt(bytes, pos + 36, 32);
        pos += 68;
      } else {
        const ones = prefix < 0b1100 ? 1 : prefix < 0b1110 ? 2 : 3;
        pos += ones + 1;
        const size = bucketSizes[ones]!;
        const bits = readBitsAt(bytes, pos, size);
        pos += size;
        // Two's complement in `size` bits; the bucket's range is asymmetric (-2^(size-1)+1 ..= 2^(size-1)).
        delta += bits > 1 << (size - 1) ? bits - (1 << size) : bits;
      }
      control = readBitsAt(bytes, pos, 2);
    }
    t += delta;
    // Value: `0` same value, `10` XOR inside the previous window, `11` new window (5 + 6 bits, then XOR).
    if (control < 0b10) {
      pos++;
      continue;
    }
    pos += 2;
    if (control === 0b11) {
      leading = readBitsAt(bytes, pos, 5);
      const significant = readBitsAt(bytes, pos + 5, 6) || 64;
      pos += 11;
      trailing = 64 - leading - significant;
    }
    const significant = 64 - leading - trailing;
    let xorHigh = 0;
    if (significant > 32) {
      xorHigh = readBitsAt(bytes, pos, significant - 32);
      pos += significant - 32;
    }
    const lowBits = Math.min(significant, 32);
    let xorLow = readBitsAt(bytes, pos, lowBits);
    pos += lowBits;
    if (trailing >= 32) {
      xorHigh = xorLow << (trailing - 32);
      xorLow = 0;
    } else if (trailing > 0) {
      xorHigh = (xorHigh << trailing) | (xorLow >>> (32 - trailing));
      xorLow = xorLow << trailing;
    }
    high = (high ^ xorHigh) >>> 0;
    low = (low ^ xorLow) >>> 0;
  }
}
