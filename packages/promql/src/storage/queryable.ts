/**
 * The read side every PromQL data source implements: the embedded {@link SampleStore}, and later a
 * remote Prometheus-compatible API. The engine asks for raw samples; it does lookback, staleness and
 * range-window logic itself, exactly as Prometheus's engine does over its storage.
 */
import type { FloatHistogram } from '../histogram/float-histogram.ts';

/** A label set, `__name__` included. Keys are unique; iteration order carries no meaning. */
export type Labels = Readonly<Record<string, string>>;

/** Label matcher types, with Prometheus semantics (regexes are fully anchored). */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher of a selector, e.g. `{job=~"api|web"}`. */
export interface LabelMatcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
}

/** Samples of one series in time order. `timestamps` are milliseconds since the epoch. */
export interface SeriesSamples {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /**
   * Native histogram samples: absent (or `undefined`) when every sample returned is a float, as for most
   * series; otherwise one entry per sample, the histogram where the sample is one (`values` then holds a
   * NaN that means nothing) and `undefined` where it is a float. Readers must not change the histograms.
   */
  readonly histograms?: readonly (FloatHistogram | undefined)[] | undefined;
}

/** A source of raw float and native histogram samples. */
export interface Queryable {
  /**
   * Every series matching all `matchers`, with its samples whose timestamp is in `[minT, maxT]`
   * (milliseconds, both ends inclusive). Series with no sample in the window may be left out.
   * Staleness markers come back as the value {@link STALE_NAN}.
   */
  select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples>;
}

const staleBits = new DataView(new ArrayBuffer(8));
staleBits.setUint32(0, 0x7ff00000);
staleBits.setUint32(4, 0x00000002);

/**
 * Prometheus's staleness marker: a NaN with the payload `0x7ff0000000000002`. A store keeps its bit
 * pattern; any other NaN is an ordinary sample value.
 */
export const STALE_NAN: number = staleBits.getFloat64(0);

const probe = new DataView(new ArrayBuffer(8));

/** Whether `value` is the staleness marker (and not just any NaN). */
export function isStaleNaN(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  probe.setFloat64(0, value);
  return probe.getUint32(0) === 0x7ff00000 && probe.getUint32(4) === 0x00000002;
}
