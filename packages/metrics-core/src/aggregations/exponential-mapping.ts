/**
 * The base-2 exponential bucket mapping of the OpenTelemetry metrics data model ("ExponentialHistogram"):
 * at scale `s` the base is `2^(2^-s)` and bucket index `i` holds the values in `(base^i, base^(i+1)]`.
 *
 * The functions follow the reference mappings of the specification, as implemented by opentelemetry-js
 * (`ExponentMapping`, `LogarithmMapping`) and opentelemetry-go, so that a yardstick histogram has the
 * same buckets as one from `@opentelemetry/sdk-metrics`:
 * - scale <= 0: the index is the float's unbiased exponent shifted right by `-scale`; exact.
 * - scale > 0: `floor(ln(value) * 2^scale / ln 2)`, with exact powers of two special-cased to the bucket
 *   they close. Elsewhere the logarithm is only as good as `Math.log`: a value within about 1e-13
 *   (relative) of a bucket boundary may land in the neighbouring bucket. In particular the double just
 *   below a power of two `2^k` usually lands in the bucket above `2^k` (the reference implementations do
 *   the same; opentelemetry-go's newer `getBin`, taking the log of the significand only, does not).
 * - subnormal values are rounded up to the smallest normal value, `2^-1022`, as the specification allows.
 * - the index is clamped so that the largest doubles stay in the last bucket below `2^1024`.
 *
 * Because `scaleFactor(s) = log2(e) * 2^s` only changes by a power of two between scales, the logarithm
 * mapping at a lower positive scale is exactly the mapping at a higher one shifted right: bucket counts
 * stay consistent when a histogram is downscaled.
 */

/** The lowest scale: with it, every positive double maps to one of 2 buckets (-1 and 0). */
export const MIN_SCALE = -10;

/** The highest scale the specification allows (about 1.4e-6 relative bucket width, 2^20 buckets per octave). */
export const MAX_SCALE = 20;

/** Exponent of the smallest normal double, `2^-1022`. */
const MIN_NORMAL_EXPONENT = -1022;

/** Exponent of the largest doubles, in `[2^1023, 2^1024)`. */
const MAX_NORMAL_EXPONENT = 1023;

const EXPONENT_BIAS = 1023;

/** The low 20 bits of the high word of a double: the top of its 52-bit significand. */
const HIGH_SIGNIFICAND_MASK = 0xfffff;

// One shared scratch double viewed as two 32-bit words, for the exponent and significand bits. Measured
// (Node 24, 1e6 values) as fast as sdk-metrics' DataView returning `{ hi, lo }` once optimized (~4 ns: V8
// removes the object), and it allocates nothing in the tiers before. Word order follows the endianness.
const scratchDouble = new Float64Array(1);
const scratchWords = new Uint32Array(scratchDouble.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;
const LOW_WORD = LITTLE_ENDIAN ? 0 : 1;

/**
 * The factor of the logarithm mapping at `scale`: `log2(e) * 2^scale`. Only meaningful for `scale > 0`;
 * kept by the histogram beside its scale so that {@link mapToIndex} does no power per call.
 */
export function scaleFactorOf(scale: number): number {
  return Math.LOG2E * 2 ** scale;
}

/**
 * The index of the bucket holding `magnitude` at `scale`.
 *
 * @param magnitude - a positive finite number (the absolute value of a non-zero measurement).
 * @param scale - an integer in `[MIN_SCALE, MAX_SCALE]`.
 * @param scaleFactor - `scaleFactorOf(scale)`.
 */
export function mapToIndex(magnitude: number, scale: number, scaleFactor: number): number {
  scratchDouble[0] = magnitude;
  const highWord = scratchWords[HIGH_WORD]!;
  let exponent = (highWord >>> 20) - EXPONENT_BIAS;
  let powerOfTwo = (highWord & HIGH_SIGNIFICAND_MASK) === 0 && scratchWords[LOW_WORD] === 0;
  if (exponent === -EXPONENT_BIAS) {
    // subnormal: rounded up to 2^-1022, the smallest normal value.
    exponent = MIN_NORMAL_EXPONENT;
    powerOfTwo = true;
  }
  if (scale <= 0) {
    // A power of two closes the bucket below its exponent's: 2 is in (1, 2], index 0 at scale 0.
    return (powerOfTwo ? exponent - 1 : exponent) >> -scale;
  }
  if (powerOfTwo) return (exponent << scale) - 1;
  const index = Math.floor(Math.log(magnitude) * scaleFactor);
  const maxIndex = ((MAX_NORMAL_EXPONENT + 1) << scale) - 1;
  return Math.min(index, maxIndex);
}

/**
 * The index at `scale` of the bucket holding `2^-1022` and, rounded up to it, every subnormal value:
 * the lowest bucket a histogram can populate.
 */
export function minIndexOf(scale: number): number {
  return scale <= 0 ? (MIN_NORMAL_EXPONENT - 1) >> -scale : (MIN_NORMAL_EXPONENT << scale) - 1;
}

/**
 * `base^index` at `scale`, the exclusive lower bound of bucket `index` and the inclusive upper bound of
 * bucket `index - 1`. Exact when it is a power of two (always at scale <= 0); otherwise the double
 * `Math.pow` gives for `2^(index / 2^scale)`, the integer part of the exponent applied exactly. Returns
 * `Infinity` above the largest double and rounds to subnormal precision below `2^-1022`.
 */
export function lowerBoundaryOf(index: number, scale: number): number {
  if (scale <= 0) return 2 ** (index * 2 ** -scale);
  const exponent = Math.floor(index / 2 ** scale);
  const fraction = (index - exponent * 2 ** scale) / 2 ** scale;
  return 2 ** fraction * 2 ** exponent;
}
