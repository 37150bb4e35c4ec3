/**
 * The options of a summary, with prom-client's defaults (percentiles) and the Prometheus Go client's
 * window (10 minutes in 5 periods), checked once at creation: a bad option is reported and its default
 * used, as the OTel API does for instruments, so creating a summary never throws.
 */

/** Options of `createSummary`. */
export interface SummaryOptions {
  readonly description?: string | undefined;
  /** UCUM unit, as for OTel instruments (`s`, `ms`, `By`): it becomes the name's suffix on `/metrics`. */
  readonly unit?: string | undefined;
  /**
   * The quantiles to report, each in [0, 1] (prom-client's option name). Default
   * `[0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]`, prom-client's.
   */
  readonly percentiles?: readonly number[] | undefined;
  /**
   * How long a value counts toward the quantiles, in seconds (default 600). `Infinity` reports quantiles
   * over everything since the series started (prom-client's behaviour when `maxAgeSeconds` is not set).
   */
  readonly maxAgeSeconds?: number | undefined;
  /** Periods the window moves by: the window drops `maxAgeSeconds / ageBuckets` at a time (default 5). */
  readonly ageBuckets?: number | undefined;
  /**
   * Buckets per sign kept for each period (default 320): the resolution for values that span a wide range.
   * Values spanning three decades (1 ms to 1 s) are then kept at ~1.1% relative error, two decades at ~0.5%.
   */
  readonly maxBuckets?: number | undefined;
}

/** prom-client's default percentiles. */
export const DEFAULT_SUMMARY_PERCENTILES: readonly number[] = Object.freeze([
  0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999,
]);
const DEFAULT_MAX_AGE_SECONDS = 600;
const DEFAULT_AGE_BUCKETS = 5;
const DEFAULT_MAX_BUCKETS = 320;
/** Enough for a 1e-9..1e9 range at ~2% error; more only costs memory. */
const MAX_MAX_BUCKETS = 4096;
const MAX_AGE_BUCKETS = 60;

/** Options with every default applied. */
export interface ResolvedSummaryOptions {
  readonly description: string;
  readonly unit: string;
  /** Sorted ascending, without repeats. */
  readonly percentiles: readonly number[];
  readonly maxAgeMs: number;
  readonly ageBuckets: number;
  readonly maxBuckets: number;
}

/** Applies defaults; each invalid option is reported through `warn` and replaced by its default. */
export function resolveSummaryOptions(
  options: SummaryOptions,
  warn: (message: string) => void,
): ResolvedSummaryOptions {
  let percentiles = DEFAULT_SUMMARY_PERCENTILES;
  if (options.percentiles !== undefined) {
    const valid =
      Array.isArray(options.percentiles) &&
      options.percentiles.length > 0 &&
      options.percentiles.every((q) => typeof q === 'number' && q >= 0 && q <= 1);
    if (valid) percentiles = [...new Set(options.percentiles)].sort((a, b) => a - b);
    else warn('percentiles must be a non-empty list of numbers from 0 to 1; the defaults are used');
  }
  let maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (!(typeof maxAgeSeconds === 'number' && maxAgeSeconds > 0)) {
    warn(`maxAgeSeconds must be a positive number of seconds, got ${String(maxAgeSeconds)}; 600 is used`);
    maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS;
  }
  return {
    description: options.description ?? '',
    unit: options.unit ?? '',
    percentiles,
    maxAgeMs: maxAgeSeconds * 1000,
    ageBuckets: integerOption(
      'ageBuckets',
      options.ageBuckets,
      DEFAULT_AGE_BUCKETS,
      1,
      MAX_AGE_BUCKETS,
      warn,
    ),
    maxBuckets: integerOption(
      'maxBuckets',
      options.maxBuckets,
      DEFAULT_MAX_BUCKETS,
      2,
      MAX_MAX_BUCKETS,
      warn,
    ),
  };
}

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  warn: (message: string) => void,
): number {
  if (value === undefined) return fallback;
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  warn(`${name} must be an integer from ${min} to ${max}, got ${String(value)}; ${fallback} is used`);
  return fallback;
}
