/**
 * Result comparison of the `.test` runner, as `evalCmd.compareResult` and `almost.Equal` in Prometheus do
 * it: values within a relative tolerance of 1e-6, NaN equal to NaN, the staleness marker only to itself,
 * order ignored unless the eval says `ordered`, matrices required to be sorted by labels. Native histograms
 * compare as `compareNativeHistogram` does: both sides compacted, schema, zero threshold, custom bounds and
 * layout exact, counts, sum and buckets within the tolerance, and the counter reset hint only when the
 * expected literal gave one.
 */
import { almostEqual as floatAlmostEqual } from '../engine/float-math.ts';
import type { InstantValue, MatrixSeries, VectorSample } from '../engine/types.ts';
import { customBoundsMatch } from '../histogram/custom-buckets.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { spansMatch } from '../histogram/span.ts';
import { isStaleNaN, type Labels } from '../storage/queryable.ts';
import { histogramText } from './histogram-text.ts';
import type { SequenceValue } from './series-description.ts';
import { type EvalCommand, labelsKey } from './test-file.ts';

/** Relative tolerance of Prometheus's test runner (`defaultEpsilon`). */
export const EPSILON = 0.000001;

/** Prometheus's `almost.Equal` as the test runner applies it: a staleness marker equals only another one. */
export function almostEqual(a: number, b: number, epsilon: number = EPSILON): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  return floatAlmostEqual(a, b, epsilon);
}

function bucketsAlmostEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => almostEqual(v, b[i]!));
}

/**
 * promqltest's `compareNativeHistogram` on compacted copies; the hint counts only when the expectation set
 * it (`counterResetHintSet`).
 */
export function histogramsMatch(
  expected: FloatHistogram,
  counterResetHintSet: boolean,
  actual: FloatHistogram,
): boolean {
  const exp = expected.copy().compact(0);
  const cur = actual.copy().compact(0);
  if (counterResetHintSet && expected.counterResetHint !== actual.counterResetHint) return false;
  if (exp.schema !== cur.schema || !almostEqual(exp.count, cur.count) || !almostEqual(exp.sum, cur.sum)) {
    return false;
  }
  if (exp.usesCustomBuckets() && !customBoundsMatch(exp.customValues, cur.customValues)) return false;
  return (
    exp.zeroThreshold === cur.zeroThreshold &&
    almostEqual(exp.zeroCount, cur.zeroCount) &&
    spansMatch(exp.negativeSpans, cur.negativeSpans) &&
    bucketsAlmostEqual(exp.negativeBuckets, cur.negativeBuckets) &&
    spansMatch(exp.positiveSpans, cur.positiveSpans) &&
    bucketsAlmostEqual(exp.positiveBuckets, cur.positiveBuckets)
  );
}

/** Go's `%v` of a float64, as Prometheus prints values in its messages. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** `name{a="b", c="d"}`, as Prometheus prints a label set. */
export function formatLabels(labels: Labels): string {
  const name = labels.__name__;
  const pairs = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name ?? ''}{${pairs.join(', ')}}`;
}

/** Prometheus's `labels.Compare`: pairs in name order, name then value, shorter set first on a tie. */
export function compareLabelSets(a: Labels, b: Labels): number {
  const ak = Object.keys(a).sort();
  const bk = Object.keys(b).sort();
  for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
    const an = ak[i]!;
    const bn = bk[i]!;
    if (an !== bn) return an < bn ? -1 : 1;
    const av = a[an]!;
    const bv = b[bn]!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return ak.length - bk.length;
}

/** A mismatch between expectation and result: a message and the two sides, for the report. */
export class ResultMismatch extends Error {
  override readonly name = 'ResultMismatch';
  readonly expected: string;
  readonly got: string;

  constructor(message: string, expected: string, got: string) {
    super(message);
    this.expected = expected;
    this.got = got;
  }
}

function describeExpected(cmd: EvalCommand): string {
  if (cmd.expectedString !== undefined) return `string ${JSON.stringify(cmd.expectedString)}`;
  const lines: string[] = [];
  for (const e of cmd.expected.values()) {
    const values = e.values.map((v) =>
      v.kind === 'float' ? formatValue(v.value) : v.kind === 'omitted' ? '_' : v.text,
    );
    lines.push(cmd.expectScalar ? values.join(' ') : `${formatLabels(e.labels)} ${values.join(' ')}`);
  }
  return lines.length === 0 ? '(empty result)' : lines.join('\n');
}

function describeSeries(s: MatrixSeries): string {
  const points = Array.from(s.values, (v, i) => {
    const h = s.histograms?.[i];
    return `${h === undefined ? formatValue(v) : histogramText(h)} @[${s.timestamps[i]}]`;
  });
  return `${formatLabels(s.labels)} ${points.join(' ')}`;
}

function describeSample(s: VectorSample): string {
  return s.histogram === undefined ? formatValue(s.value) : histogramText(s.histogram);
}

/** Renders a result the way the runner reports it. */
export function describeResult(value: InstantValue): string {
  switch (value.type) {
    case 'scalar':
      return `scalar ${formatValue(value.value)}`;
    case 'string':
      return `string ${JSON.stringify(value.value)}`;
    case 'vector':
      return value.samples.length === 0
        ? '(empty vector)'
        : value.samples.map((s) => `${formatLabels(s.labels)} ${describeSample(s)}`).join('\n');
    case 'matrix':
      return value.series.length === 0 ? '(empty matrix)' : value.series.map(describeSeries).join('\n');
  }
}

function isOrdered(cmd: EvalCommand): boolean {
  return cmd.legacy.ordered || cmd.expects.ordered.length > 0;
}

function compareMatrix(cmd: EvalCommand, series: readonly MatrixSeries[]): string | undefined {
  if (isOrdered(cmd)) return 'expected ordered result, but query returned a matrix';
  if (cmd.expectScalar) return 'expected scalar result, but got matrix';
  for (let i = 0; i + 1 < series.length; i++) {
    if (compareLabelSets(series[i]!.labels, series[i + 1]!.labels) > 0) {
      return `matrix results should always be sorted by labels, but ${formatLabels(series[i + 1]!.labels)} sorts before ${formatLabels(series[i]!.labels)}`;
    }
  }
  const seen = new Set<string>();
  for (const s of series) {
    const key = labelsKey(s.labels);
    const exp = cmd.expected.get(key);
    if (exp === undefined)
      return `unexpected metric ${formatLabels(s.labels)} in result, has ${describeSeries(s)}`;
    seen.add(key);
    const expectedFloats: Array<{ t: number; v: number }> = [];
    const expectedHistograms: Array<{ t: number; h: Extract<SequenceValue, { kind: 'histogram' }> }> = [];
    for (let i = 0; i < exp.values.length; i++) {
      const t = cmd.startMs + i * cmd.stepMs;
      if (t > cmd.endMs) {
        return `expected ${exp.values.length} points for ${formatLabels(exp.labels)}, but query time range cannot return this many points`;
      }
      const e = exp.values[i]!;
      if (e.kind === 'float') expectedFloats.push({ t, v: e.value });
      else if (e.kind === 'histogram') expectedHistograms.push({ t, h: e });
    }
    const floatAt: number[] = [];
    const histogramAt: number[] = [];
    for (let i = 0; i < s.timestamps.length; i++) {
      if (s.histograms?.[i] === undefined) floatAt.push(i);
      else histogramAt.push(i);
    }
    if (expectedFloats.length !== floatAt.length || expectedHistograms.length !== histogramAt.length) {
      return `expected ${expectedFloats.length} float points and ${expectedHistograms.length} histogram points for ${formatLabels(exp.labels)}, but got ${describeSeries(s)}`;
    }
    for (let i = 0; i < expectedFloats.length; i++) {
      const e = expectedFloats[i]!;
      const at = floatAt[i]!;
      if (e.t !== s.timestamps[at]) {
        return `expected float value at index ${i} for ${formatLabels(exp.labels)} to have timestamp ${e.t}, but it had timestamp ${s.timestamps[at]}`;
      }
      if (!almostEqual(s.values[at]!, e.v)) {
        return `expected float value at index ${i} (t=${e.t}) for ${formatLabels(exp.labels)} to be ${formatValue(e.v)}, but got ${formatValue(s.values[at]!)}`;
      }
    }
    for (let i = 0; i < expectedHistograms.length; i++) {
      const e = expectedHistograms[i]!;
      const at = histogramAt[i]!;
      const actual = s.histograms![at]!;
      if (e.t !== s.timestamps[at]) {
        return `expected histogram value at index ${i} for ${formatLabels(exp.labels)} to have timestamp ${e.t}, but it had timestamp ${s.timestamps[at]}`;
      }
      if (!histogramsMatch(e.h.histogram, e.h.counterResetHintSet, actual)) {
        return `expected histogram value at index ${i} (t=${e.t}) for ${formatLabels(exp.labels)} to be ${histogramText(e.h.histogram)}, but got ${histogramText(actual)}`;
      }
    }
  }
  for (const [key, exp] of cmd.expected) {
    if (!seen.has(key)) return `expected metric ${formatLabels(exp.labels)} not found`;
  }
  return undefined;
}

function compareVector(cmd: EvalCommand, samples: readonly VectorSample[]): string | undefined {
  if (cmd.expectScalar) return 'expected scalar result, but got vector';
  const seen = new Set<string>();
  for (let pos = 0; pos < samples.length; pos++) {
    const s = samples[pos]!;
    const key = labelsKey(s.labels);
    const exp = cmd.expected.get(key);
    if (exp === undefined)
      return `unexpected metric ${formatLabels(s.labels)} in result, has value ${describeSample(s)}`;
    if (isOrdered(cmd) && exp.pos !== pos + 1) {
      return `expected metric ${formatLabels(s.labels)} at position ${exp.pos} but was at ${pos + 1}`;
    }
    const first = exp.values[0];
    if (first?.kind === 'histogram') {
      if (s.histogram === undefined) {
        return `expected histogram ${histogramText(first.histogram)} for ${formatLabels(s.labels)} but got float value ${formatValue(s.value)}`;
      }
      if (!histogramsMatch(first.histogram, first.counterResetHintSet, s.histogram)) {
        return `expected ${histogramText(first.histogram)} for ${formatLabels(s.labels)} but got ${histogramText(s.histogram)}`;
      }
      seen.add(key);
      continue;
    }
    if (s.histogram !== undefined) {
      return `expected float value ${first?.kind === 'float' ? formatValue(first.value) : 0} for ${formatLabels(s.labels)} but got histogram ${histogramText(s.histogram)}`;
    }
    // An omitted (`_`) expectation is the zero value in Prometheus's runner.
    const expectedValue = first?.kind === 'float' ? first.value : 0;
    if (!almostEqual(expectedValue, s.value)) {
      return `expected ${formatValue(expectedValue)} for ${formatLabels(s.labels)} but got ${formatValue(s.value)}`;
    }
    seen.add(key);
  }
  for (const [key, exp] of cmd.expected) {
    if (!seen.has(key)) return `expected metric ${formatLabels(exp.labels)} not found`;
  }
  return undefined;
}

/**
 * Checks `value` against the expectations of `cmd`.
 * @throws ResultMismatch with Prometheus's wording of the first difference.
 */
export function compareResult(cmd: EvalCommand, value: InstantValue): void {
  let problem: string | undefined;
  switch (value.type) {
    case 'matrix':
      problem = compareMatrix(cmd, value.series);
      break;
    case 'vector':
      problem = compareVector(cmd, value.samples);
      break;
    case 'scalar': {
      const exp = cmd.expected.get('')?.values[0];
      if (!cmd.expectScalar || exp === undefined)
        problem = `expected vector or matrix result, but got scalar ${formatValue(value.value)}`;
      else if (exp.kind === 'histogram')
        problem = `expected histogram ${histogramText(exp.histogram)} but got scalar ${formatValue(value.value)}`;
      else if (!almostEqual(exp.kind === 'float' ? exp.value : 0, value.value)) {
        problem = `expected scalar ${exp.kind === 'float' ? formatValue(exp.value) : 0} but got ${formatValue(value.value)}`;
      }
      break;
    }
    case 'string':
      if ((cmd.expectedString ?? '') !== value.value) {
        problem = `expected string "${cmd.expectedString ?? ''}" but got "${value.value}"`;
      }
      break;
  }
  if (problem !== undefined) throw new ResultMismatch(problem, describeExpected(cmd), describeResult(value));
}
