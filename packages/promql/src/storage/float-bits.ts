/**
 * Float64 ⇄ two 32-bit halves without arithmetic on the float, so NaN payloads (the staleness marker is
 * a signalling NaN) survive bit-exact. Values never pass through a `number[]`: V8 canonicalises NaN in
 * double arrays.
 */

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
// Detected once: the word order of a float64 in memory is the platform's byte order.
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Index of the high 32-bit word of a float64 inside a `Uint32Array` over a `Float64Array`'s buffer. */
export const HIGH_WORD = littleEndian ? 1 : 0;
/** Index of the low 32-bit word of a float64 inside a `Uint32Array` over a `Float64Array`'s buffer. */
export const LOW_WORD = littleEndian ? 0 : 1;

/** The high 32 bits (sign, exponent, top of the mantissa) of `value`; call {@link lowWord} right after. */
export function highWord(value: number): number {
  scratch[0] = value;
  return scratchWords[HIGH_WORD]!;
}

/** The low 32 bits of the value last passed to {@link highWord}. */
export function lowWord(): number {
  return scratchWords[LOW_WORD]!;
}
