/**
 * An append-only bit stream over a `Uint8Array` that grows as needed, most significant bit first. One
 * writer holds every chunk of a series back to back, so a chunk costs no buffer object of its own.
 */

// Smallest allocation and growth step: a new series' first samples fit without a copy.
const minGrowthBytes = 32;

/** Writes bits into a growable byte buffer. */
export class BitWriter {
  #bytes: Uint8Array;
  #bitLength = 0;

  constructor(initialBytes = minGrowthBytes) {
    this.#bytes = new Uint8Array(initialBytes);
  }

  /** The buffer; bytes past {@link byteLength} are zero. Only valid until the next write. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Bytes in use (a partly written last byte counts). */
  get byteLength(): number {
    return (this.#bitLength + 7) >>> 3;
  }

  /** Bytes allocated, used or not. */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** Writes one bit (`0` or `1`). */
  writeBit(bit: number): void {
    const byteIndex = this.#bitLength >>> 3;
    if (byteIndex >= this.#bytes.length) this.#grow();
    if (bit !== 0) this.#bytes[byteIndex]! |= 0x80 >>> (this.#bitLength & 7);
    this.#bitLength++;
  }

  /** Writes the low `count` bits of `value` (`count` in 0..32), most significant first. */
  writeBits(value: number, count: number): void {
    let remaining = count;
    // Whole runs of bits go into a byte at once; a bit-by-bit loop is several times slower.
    while (remaining > 0) {
      const byteIndex = this.#bitLength >>> 3;
      if (byteIndex >= this.#bytes.length) this.#grow();
      const free = 8 - (this.#bitLength & 7);
      const take = Math.min(remaining, free);
      remaining -= take;
      const bits = (value >>> remaining) & ((1 << take) - 1);
      this.#bytes[byteIndex]! |= bits << (free - take);
      this.#bitLength += take;
    }
  }

  /** Writes the low `count` bits (0..64) of the 64-bit value `high:low`. */
  writeBits64(high: number, low: number, count: number): void {
    if (count > 32) {
      this.writeBits(high, count - 32);
      this.writeBits(low, 32);
    } else {
      this.writeBits(low, count);
    }
  }

  /** Pads with zero bits to the next byte boundary, where the next chunk starts. */
  alignToByte(): void {
    this.#bitLength = this.byteLength << 3;
  }

  /**
   * Forgets the first `byteCount` bytes (whole dropped chunks) and moves the rest into a buffer sized to
   * it, so retention really gives memory back. Runs at most once per chunk lifetime, so the copy is cheap.
   */
  dropBytes(byteCount: number): void {
    const used = this.byteLength;
    const keep = Math.max(0, used - byteCount);
    const smaller = new Uint8Array(keep + Math.max(minGrowthBytes, keep >>> 3));
    if (keep > 0) smaller.set(this.#bytes.subarray(byteCount, used));
    this.#bytes = smaller;
    this.#bitLength = keep === 0 ? 0 : this.#bitLength - (byteCount << 3);
  }

  // Growth by a quarter (not doubling) keeps the unused tail, which counts against the store's byte budget,
  // under 20% while still amortising the copies.
  #grow(): void {
    const bigger = new Uint8Array(this.#bytes.length + Math.max(minGrowthBytes, this.#bytes.length >>> 2));
    bigger.set(this.#bytes);
    this.#bytes = bigger;
  }
}
