/** Reads a bit stream written by `BitWriter`, most significant bit first. */

/** A cursor over a byte buffer; reading past the end yields zero bits. */
export class BitReader {
  readonly #bytes: Uint8Array;
  #bitPosition: number;

  constructor(bytes: Uint8Array, startByte: number) {
    this.#bytes = bytes;
    this.#bitPosition = startByte << 3;
  }

  /** Reads one bit. */
  readBit(): number {
    const byte = this.#bytes[this.#bitPosition >>> 3] ?? 0;
    const bit = (byte >>> (7 - (this.#bitPosition & 7))) & 1;
    this.#bitPosition++;
    return bit;
  }

  /** Reads `count` bits (0..32) as an unsigned integer. */
  readBits(count: number): number {
    let remaining = count;
    let result = 0;
    // Takes every bit still available in the current byte at once (see BitWriter.writeBits).
    while (remaining > 0) {
      const byte = this.#bytes[this.#bitPosition >>> 3] ?? 0;
      const available = 8 - (this.#bitPosition & 7);
      const take = Math.min(remaining, available);
      result = (result << take) | ((byte >>> (available - take)) & ((1 << take) - 1));
      remaining -= take;
      this.#bitPosition += take;
    }
    return result >>> 0;
  }
}
