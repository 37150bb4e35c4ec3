/**
 * Little-endian bytes with LEB128 varints, for the persisted histogram rows and chunks: grows as it is
 * written, and reading past the end throws.
 */

/** Grows as it is written; `bytes()` is the written part. */
export class ByteWriter {
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

/** Reads what a {@link ByteWriter} wrote; a read past the end throws a `RangeError`. */
export class ByteReader {
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
