/**
 * Series descriptions of Prometheus's `.test` format: `metric{label="value"} 1+2x3 _ stale`, read exactly as
 * `parser.ParseSeriesDesc` reads them (promql/parser/generated_parser.y, `series_item`).
 */
import { PromqlError } from '../errors.ts';
import { type FloatHistogram, MIXED_SCHEMAS_MESSAGE } from '../histogram/float-histogram.ts';
import { parseHistogramDescription } from '../histogram/histogram-description.ts';
import { parseGoNumber, unquoteString } from '../parser/literals.ts';
import type { Labels } from '../storage/queryable.ts';
import { STALE_NAN } from '../storage/queryable.ts';

/** One position of a sequence: a float, nothing (`_`), or a native histogram. */
export type SequenceValue =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'omitted' }
  | {
      readonly kind: 'histogram';
      /** The series item the value comes from (`{{...}}`, `{{...}}x3`, `{{...}}+{{...}}x3`), for messages. */
      readonly text: string;
      /**
       * The histogram, not compacted (as promqltest leaves it). Values expanded by `x` share one instance:
       * copy before changing it.
       */
      readonly histogram: FloatHistogram;
      /** Whether the literal gave `counter_reset_hint`; promqltest compares hints only then. */
      readonly counterResetHintSet: boolean;
    };

/** A parsed series description. */
export interface SeriesDescription {
  readonly labels: Labels;
  readonly values: readonly SequenceValue[];
}

function fail(message: string): PromqlError {
  return new PromqlError('PROMQL_TEST_FILE', message);
}

const identifier = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const labelName = /^[A-Za-z_][A-Za-z0-9_]*/;
const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/;

/** Reads `name{...}` or `{...}` from the start of `line`; returns the labels and the rest of the line. */
export function parseMetric(line: string): { labels: Labels; rest: string } {
  const labels: Record<string, string> = {};
  let rest = line.trimStart();
  const name = identifier.exec(rest);
  if (name !== null) {
    labels.__name__ = name[0];
    rest = rest.slice(name[0].length);
  }
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      let label: string;
      const bare = labelName.exec(rest);
      const q = quoted.exec(rest);
      if (bare !== null) {
        label = bare[0];
        rest = rest.slice(label.length).trimStart();
      } else if (q !== null) {
        label = unquoteString(q[0]);
        rest = rest.slice(q[0].length).trimStart();
        // A lone quoted string is the metric name (`{"my.metric"}`).
        if (rest.startsWith(',') || rest.startsWith('}')) {
          labels.__name__ = label;
          rest = rest.replace(/^,\s*/, '');
          continue;
        }
      } else {
        throw fail(`unexpected ${JSON.stringify(rest.slice(0, 10))} in label set`);
      }
      if (!rest.startsWith('=')) throw fail(`expected "=" after label ${label}`);
      rest = rest.slice(1).trimStart();
      const value = quoted.exec(rest);
      if (value === null) throw fail(`expected a quoted value for label ${label}`);
      labels[label] = unquoteString(value[0]);
      rest = rest.slice(value[0].length).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}'))
        throw fail(`unexpected ${JSON.stringify(rest.slice(0, 10))} in label set`);
    }
    rest = rest.slice(1);
  } else if (name === null) {
    throw fail(`expected a metric name or "{" in ${JSON.stringify(line)}`);
  }
  return { labels, rest };
}

// No hexadecimal here: Prometheus's lexer disallows it in series descriptions, where `0x3` means "0, 3 times".
const numberText = String.raw`[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[iI][nN][fF]|[nN][aA][nN])`;
const floatItem = new RegExp(`^(${numberText})(?:([+-])(${numberText.slice(5)}))?(?:x(\\d+))?$`);

/** The float of a series value token: a Go number, `Inf`/`NaN` in any case, or `stale`. */
function seriesNumber(token: string): number {
  if (token === 'stale') return STALE_NAN;
  const value = parseGoNumber(token);
  if (value === undefined) throw fail(`bad number in series values: ${JSON.stringify(token)}`);
  return value;
}

/** Splits the value part into items, keeping `{{...}}` histogram literals (which contain spaces) whole. */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let j = i;
    let depth = 0;
    while (j < text.length && (depth > 0 || !/\s/.test(text[j]!))) {
      if (text.startsWith('{{', j)) {
        depth++;
        j += 2;
      } else if (text.startsWith('}}', j) && depth > 0) {
        depth--;
        j += 2;
      } else j++;
    }
    items.push(text.slice(i, j));
    i = j;
  }
  return items;
}

/**
 * Most values one series description may expand to. Prometheus's own corpus stays under 10,001; a count
 * typed wrong (`1x2857142855`) would otherwise allocate until the process dies.
 */
export const MAX_SEQUENCE_VALUES = 1_000_000;

/** `count` more values for `item`, or a clear error when the description would grow past the limit. */
function reserve(out: SequenceValue[], count: number, item: string): number {
  if (out.length + count > MAX_SEQUENCE_VALUES) {
    throw fail(
      `series values ${JSON.stringify(item)} expand to more than ${MAX_SEQUENCE_VALUES} values in one series`,
    );
  }
  return count;
}

/** `{{a}}`, `{{a}}xN`, `{{a}}+{{b}}xN` or `{{a}}-{{b}}xN`: the literals and what follows each. */
const histogramLiteral = String.raw`\{\{(?:(?!\}\}).)*\}\}`;
const histogramItem = new RegExp(
  `^(${histogramLiteral})(?:x(\\d+)|([+-])(${histogramLiteral})x(\\d+))?$`,
  's',
);

/**
 * Expands a histogram item as promqltest does: `{{a}}xN` is N+1 times the same histogram; `{{a}}+{{b}}xN` is
 * `a`, then N times the previous value plus `b` (minus with `-`), uncompacted. As in Prometheus, `b` may not
 * have a lower resolution than the running value, and exponential and custom buckets do not mix.
 */
function expandHistogramItem(item: string, out: SequenceValue[]): void {
  const match = histogramItem.exec(item);
  if (match === null) {
    throw fail(`bad series value ${JSON.stringify(item)}: expected {{...}}, {{...}}xN or {{...}}+{{...}}xN`);
  }
  const [, baseText, repeat, sign, incrementText, times] = match;
  const count = reserve(
    out,
    repeat !== undefined ? Number(repeat) + 1 : times !== undefined ? Number(times) + 1 : 1,
    item,
  );
  const base = parseHistogramDescription(baseText!);
  if (incrementText === undefined) {
    const value = { kind: 'histogram', text: item, ...base } as const;
    for (let i = 0; i < count; i++) out.push(value);
    return;
  }
  const increment = parseHistogramDescription(incrementText);
  // promqltest marks every value with the increment's hint flag (the last literal parsed).
  const counterResetHintSet = increment.counterResetHintSet;
  let current = base.histogram;
  out.push({ kind: 'histogram', text: item, histogram: current, counterResetHintSet });
  for (let i = 1; i < count; i++) {
    if (current.schema > increment.histogram.schema) {
      throw fail(
        `series values ${JSON.stringify(item)}: cannot merge from schema ${increment.histogram.schema} to ${current.schema}`,
      );
    }
    const next = current.copy();
    const result = sign === '+' ? next.add(increment.histogram) : next.sub(increment.histogram);
    if (!result.ok) throw fail(`series values ${JSON.stringify(item)}: ${MIXED_SCHEMAS_MESSAGE}`);
    current = next;
    out.push({ kind: 'histogram', text: item, histogram: current, counterResetHintSet });
  }
}

/** Expands one item: `_`, `_x3`, `stale`, `5`, `5x3`, `1+2x3`, `-1-2x3`, or a histogram item. */
function expandItem(item: string, out: SequenceValue[]): void {
  if (item === '_') {
    reserve(out, 1, item);
    out.push({ kind: 'omitted' });
    return;
  }
  const blanks = /^_x(\d+)$/.exec(item);
  if (blanks !== null) {
    const count = reserve(out, Number(blanks[1]), item);
    for (let i = 0; i < count; i++) out.push({ kind: 'omitted' });
    return;
  }
  if (item.startsWith('{{')) {
    expandHistogramItem(item, out);
    return;
  }
  if (item === 'stale' || item.startsWith('stalex')) {
    const times = /^stale(?:x(\d+))?$/.exec(item);
    if (times === null) throw fail(`bad series value ${JSON.stringify(item)}`);
    const count = reserve(out, times[1] === undefined ? 1 : Number(times[1]) + 1, item);
    for (let i = 0; i < count; i++) out.push({ kind: 'float', value: STALE_NAN });
    return;
  }
  const match = floatItem.exec(item);
  if (match === null) throw fail(`bad series value ${JSON.stringify(item)}`);
  let value = seriesNumber(match[1]!);
  if (match[4] === undefined) {
    if (match[2] !== undefined) throw fail(`expected "x<count>" after ${JSON.stringify(item)}`);
    reserve(out, 1, item);
    out.push({ kind: 'float', value });
    return;
  }
  // `a+bxN` is N+1 values, each the previous plus b: repeated float addition, as Prometheus computes it.
  const delta = match[2] === undefined ? 0 : seriesNumber(`${match[2]}${match[3]}`);
  const count = reserve(out, Number(match[4]) + 1, item);
  for (let i = 0; i < count; i++) {
    out.push({ kind: 'float', value });
    value += delta;
  }
}

/** Expands the value part of a series description into one entry per step. */
export function parseSequence(text: string): SequenceValue[] {
  const out: SequenceValue[] = [];
  for (const item of splitItems(text)) expandItem(item, out);
  return out;
}

/**
 * Parses `metric{labels} values...`.
 * @throws PromqlError `PROMQL_TEST_FILE` on malformed input.
 */
export function parseSeriesDescription(line: string): SeriesDescription {
  const { labels, rest } = parseMetric(line);
  if (rest !== '' && !/^\s/.test(rest))
    throw fail(`expected a space after the metric in ${JSON.stringify(line)}`);
  return { labels, values: parseSequence(rest) };
}
