/**
 * The two value codings of histogram chunks (Prometheus `tsdb/chunkenc/varbit.go` and the XOR value coding
 * of `xor.go`): variable-width signed integers for counts and their deltas, and XOR against the previous
 * value for floats. Both read back through a {@link BitCursor}.
 */
import { readBitsAt } from './bit-reader.ts';
import type { BitWriter } from './bit-writer.ts';
import { highWord, lowWord } from './float-bits.ts';

const twoPow32 = 4294967296;

/** A read position in a chunk's bytes. */
export class BitCursor {
  readonly bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Reads `count` bits (0..32) as an unsigned integer. */
  read(count: number): number {
    const value = readBitsAt(this.bytes, this.pos, count);
    this.pos += count;
    return value;
  }
}

// Varbit buckets: a prefix of n one-bits and a zero (none after the last), then a two's complement payload
// of `payloadBits[n]` bits holding -(2^(b-1) - 1) ..= 2^(b-1), as Prometheus's varbit ints.
const payloadBits = [0, 3, 6, 9, 12, 18, 25, 56];
const lastPrefix = payloadBits.length;

/**
 * Writes a safe integer in 1 bit (0), 5 (-3..4), 9, 13, 17, 24, 32, 64 bits or, beyond ±2^55, 72 bits: small
 * values, the usual deltas of slowly changing counts, cost a few bits.
 */
export function writeVarbitInt(writer: BitWriter, value: number): void {
  if (value === 0) {
    writer.writeBit(0);
    return;
  }
  for (let n = 1; n < payloadBits.length; n++) {
    const bits = payloadBits[n]!;
    const limit = 2 ** (bits - 1);
    if (value > -limit && value <= limit) {
      // Prefix: n one-bits then a zero.
      writer.writeBits(((1 << n) - 1) << 1, n + 1);
      writeTwosComplement(writer, value, bits);
      return;
    }
  }
  writer.writeBits(0xff, lastPrefix);
  writeTwosComplement(writer, value, 64);
}

function writeTwosComplement(writer: BitWriter, value: number, bits: number): void {
  const high = Math.floor(value / twoPow32);
  const low = value - high * twoPow32;
  if (bits <= 32) writer.writeBits(low >>> 0, bits);
  else writer.writeBits64(high >>> 0, low >>> 0, bits);
}

// Payloads up to 25 bits fit one 32-bit read together with their prefix (at most 6 one-bits and a zero).
const maxOneReadPrefix = 6;
const halfRange = payloadBits.map((bits) => 2 ** (bits - 1));
const fullRange = payloadBits.map((bits) => 2 ** bits);

/** Reads an integer written by {@link writeVarbitInt}. */
export function readVarbitInt(cursor: BitCursor): number {
  // Measured: prefix and payload read as one 32-bit word (the prefix's one-bits counted with clz32) instead
  // of bit by bit: decoding 241k native histograms of 32 buckets took ~215 ms of CPU, ~250 with an 8-bit
  // peek of the prefix and ~330 bit by bit.
  const word = readBitsAt(cursor.bytes, cursor.pos, 32);
  const n = Math.clz32(~word);
  if (n === 0) {
    cursor.pos++;
    return 0;
  }
  if (n <= maxOneReadPrefix) {
    const bits = payloadBits[n]!;
    cursor.pos += n + 1 + bits;
    const raw = (word << (n + 1)) >>> (32 - bits);
    return raw > halfRange[n]! ? raw - fullRange[n]! : raw;
  }
  const prefix = Math.min(n, lastPrefix);
  cursor.pos += prefix === lastPrefix ? prefix : prefix + 1;
  const bits = prefix === lastPrefix ? 64 : payloadBits[prefix]!;
  const highBits = bits - 32;
  const high = cursor.read(highBits);
  const low = cursor.read(32);
  const signedHigh = high >= 2 ** (highBits - 1) ? high - 2 ** highBits : high;
  const value = signedHigh * twoPow32 + low;
  // A 56-bit payload's top value 2^55 reads back negative in two's complement: its range is asymmetric.
  return bits < 64 && value === -(2 ** (bits - 1)) ? 2 ** (bits - 1) : value;
}

const noWindow = 0xff;

function trailingZeros32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** One float field's XOR state: the previous value's words and the meaningful-bit window. */
export class XorValue {
  high = 0;
  low = 0;
  leading = noWindow;
  trailing = 0;

  /** Writes `value` raw (64 bits): the first sample of a chunk. */
  writeFirst(writer: BitWriter, value: number): void {
    this.high = highWord(value);
    this.low = lowWord();
    this.leading = noWindow;
    this.trailing = 0;
    writer.writeBits64(this.high, this.low, 64);
  }

  /** Writes `value` XORed with the previous one: `0` when equal, else the meaningful bits. */
  write(writer: BitWriter, value: number): void {
    const high = highWord(value);
    const low = lowWord();
    const xorHigh = (high ^ this.high) >>> 0;
    const xorLow = (low ^ this.low) >>> 0;
    this.high = high;
    this.low = low;
    if (xorHigh === 0 && xorLow === 0) {
      writer.writeBit(0);
      return;
    }
    writer.writeBit(1);
    let leading = xorHigh !== 0 ? Math.clz32(xorHigh) : 32 + Math.clz32(xorLow);
    const trailing = xorLow !== 0 ? trailingZeros32(xorLow) : 32 + trailingZeros32(xorHigh);
    if (leading > 31) leading = 31;
    if (this.leading !== noWindow && leading >= this.leading && trailing >= this.trailing) {
      writer.writeBit(0);
      writeShiftedRight(writer, xorHigh, xorLow, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    this.leading = leading;
    this.trailing = trailing;
    const significant = 64 - leading - trailing;
    writer.writeBit(1);
    writer.writeBits(leading, 5);
    writer.writeBits(significant & 63, 6);
    writeShiftedRight(writer, xorHigh, xorLow, trailing, significant);
  }

  /** Reads the first (raw) value of a chunk. */
  readFirst(cursor: BitCursor): number {
    this.high = cursor.read(32);
    this.low = cursor.read(32);
    this.leading = 0;
    this.trailing = 0;
    return this.#value();
  }

  /** Reads a value written by {@link XorValue.write}. */
  read(cursor: BitCursor): number {
    if (cursor.read(1) === 0) return this.#value();
    if (cursor.read(1) === 1) {
      this.leading = cursor.read(5);
      const significant = cursor.read(6) || 64;
      this.trailing = 64 - this.leading - significant;
    }
    const significant = 64 - this.leading - this.trailing;
    let xorHigh = significant > 32 ? cursor.read(significant - 32) : 0;
    let xorLow = cursor.read(Math.min(significant, 32));
    const trailing = this.trailing;
    if (trailing >= 32) {
      xorHigh = xorLow << (trailing - 32);
      xorLow = 0;
    } else if (trailing > 0) {
      xorHigh = (xorHigh << trailing) | (xorLow >>> (32 - trailing));
      xorLow = xorLow << trailing;
    }
    this.high = (this.high ^ xorHigh) >>> 0;
    this.low = (this.low ^ xorLow) >>> 0;
    return this.#value();
  }

  #value(): number {
    scratchWords[HIGH] = this.high;
    scratchWords[LOW] = this.low;
    return scratch[0]!;
  }
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HIGH = littleEndian ? 1 : 0;
const LOW = littleEndian ? 0 : 1;

function writeShiftedRight(writer: BitWriter, high: number, low: number, shift: number, count: number): void {
  if (shift === 0) writer.writeBits64(high, low, count);
  else if (shift >= 32) writer.writeBits(high >>> (shift - 32), count);
  else writer.writeBits64(high >>> shift, ((low >>> shift) | (high << (32 - shift))) >>> 0, count);
}
