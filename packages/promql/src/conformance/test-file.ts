/**
 * Reads Prometheus's `.test` language into commands, following `promql/promqltest/test.go` (v3.14) line by
 * line: `load`, `clear`, `eval instant|range` with `expect ...` lines and expected results, and the older
 * `eval_fail|eval_warn|eval_info|eval_ordered` forms. Nothing is evaluated here.
 */
import { PromqlError } from '../errors.ts';
import { parseDurationMs, parseGoNumber, unquoteString } from '../parser/literals.ts';
import type { Labels } from '../storage/queryable.ts';
import { parseSeriesDescription, type SequenceValue, type SeriesDescription } from './series-description.ts';

/** `load <interval>`: series to append, the first sample at time 0 and one per interval after it. */
export interface LoadCommand {
  readonly kind: 'load';
  readonly line: number;
  readonly intervalMs: number;
  /** `load_with_nhcb`: classic histograms are also stored as native histograms with custom buckets. */
  readonly withNhcb: boolean;
  readonly series: readonly SeriesDescription[];
  /** Series given start timestamps by `metric@st ...` lines (Prometheus's feature-flagged start times). */
  readonly startTimeSeries: readonly Labels[];
}

/** `clear`: drop every loaded series. */
export interface ClearCommand {
  readonly kind: 'clear';
  readonly line: number;
}

/** The kinds of `expect` line. */
export type ExpectKind = 'ordered' | 'fail' | 'warn' | 'no_warn' | 'info' | 'no_info';

/** One `expect <kind> [msg: text | regex: pattern]` line. Without either, any message matches. */
export interface ExpectLine {
  readonly message?: string;
  readonly regex?: RegExp;
}

/** One expected series (or the scalar, under the key `''`) and its position among the result lines. */
export interface ExpectedSeries {
  /** 1-based position among the result lines, for `ordered` checks. */
  readonly pos: number;
  readonly labels: Labels;
  readonly values: readonly SequenceValue[];
}

/** `eval instant at T expr` or `eval range from T to T step D expr`, with its expectations. */
export interface EvalCommand {
  readonly kind: 'eval';
  /** 1-based line of the `eval`. */
  readonly line: number;
  readonly expr: string;
  readonly isRange: boolean;
  startMs: number;
  endMs: number;
  stepMs: number;
  /** The instant of an instant query. */
  evalMs: number;
  /** Flags of the older `eval_fail`, `eval_warn`, `eval_info`, `eval_ordered` forms. */
  readonly legacy: { fail: boolean; warn: boolean; info: boolean; ordered: boolean };
  expectedFailMessage: string | undefined;
  expectedFailRegexp: RegExp | undefined;
  readonly expects: Record<ExpectKind, ExpectLine[]>;
  expectScalar: boolean;
  /** Expected series by {@link labelsKey}; the scalar, if any, under `''`. */
  readonly expected: Map<string, ExpectedSeries>;
  /** Set by `expect string "..."`. */
  expectedString: string | undefined;
  /** `expect range vector` and `expect string` evals are not re-run as range queries. */
  excludeFromRangeQuery: boolean;
}

/** Any command of a test file. */
export type TestCommand = LoadCommand | ClearCommand | EvalCommand;

/**
 * A canonical key of a label set: sorted `name="value"` pairs, labels with an empty value left out.
 * PromQL cannot tell `x{a=""}` from `x` (matchers and `label_replace` treat both alike) and the
 * `SampleStore` drops empty labels on append, as Prometheus's scrape does; a few corpus files
 * (`type_and_unit.test`) still spell `__unit__=""` in expectations, so both sides compare without them.
 */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => labels[k] !== '')
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

const patLoad = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const patEvalInstant = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const patEvalRange = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const patExpect = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const patExpectRange = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;

function fail(line: number, message: string): PromqlError {
  return new PromqlError('PROMQL_TEST_FILE', `line ${line + 1}: ${message}`);
}

function duration(line: number, text: string, what: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw fail(line, `invalid ${what} ${JSON.stringify(text)}`);
  return ms;
}

/** Go's `parseNumber` of test.go: `strconv.ParseInt(s, 0, 64)`, then `strconv.ParseFloat`. */
function parseExpectedNumber(text: string): number | undefined {
  if (/^[+-]?(inf|infinity|nan)$/i.test(text)) return parseGoNumber(text.replace(/inity$/i, ''));
  if (!/^[+-]?(\d|\.\d)/.test(text)) return undefined;
  return parseGoNumber(text);
}

/** Go regexps in `.test` files use RE2 syntax; the common subset means the same in JavaScript. */
function compileRegex(line: number, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw fail(line, `invalid regex ${pattern}`);
  }
}

/** Trimmed lines, comment lines emptied (an empty line ends a block, as in test.go). */
function getLines(input: string): string[] {
  return input.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
}

function parseLoad(lines: string[], start: number): [number, LoadCommand] {
  const match = patLoad.exec(lines[start]!);
  if (match === null) throw fail(start, 'invalid load command. (load[_with_nhcb] <step:duration>)');
  const intervalMs = duration(start, match[2]!, 'step definition');
  const byKey = new Map<string, SeriesDescription>();
  const startTimeSeries: Labels[] = [];
  let i = start;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const text = lines[i]!;
    const st = /^(\S+)@st\s/.exec(text);
    if (st !== null) {
      startTimeSeries.push(wrap(i, () => parseSeriesDescription(st[1]!)).labels);
      continue;
    }
    const series = wrap(i, () => parseSeriesDescription(text));
    byKey.set(labelsKey(series.labels), series);
  }
  return [
    i,
    {
      kind: 'load',
      line: start + 1,
      intervalMs,
      withNhcb: match[1] === 'with_nhcb',
      series: [...byKey.values()],
      startTimeSeries,
    },
  ];
}

function wrap<T>(line: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PromqlError) throw fail(line, e.message);
    throw fail(line, e instanceof Error ? e.message : String(e));
  }
}

function parseExpectLine(line: number, text: string): [ExpectKind, ExpectLine] {
  const match = patExpect.exec(text.trim());
  if (match === null) {
    throw fail(line, 'invalid expect statement, must match `expect <type> <match_type>: <string>` format');
  }
  const kind = match[1] as ExpectKind;
  if (match[2] === 'msg') return [kind, { message: match[3]!.trim() }];
  if (match[2] === 'regex') return [kind, { regex: compileRegex(line, match[3]!.trim()) }];
  return [kind, { regex: /^.*$/ }];
}

function newEval(
  line: number,
  expr: string,
  isRange: boolean,
  startMs: number,
  endMs: number,
  stepMs: number,
  mod: string | undefined,
): EvalCommand {
  return {
    kind: 'eval',
    line: line + 1,
    expr,
    isRange,
    startMs,
    endMs,
    stepMs,
    evalMs: startMs,
    legacy: { fail: mod === 'fail', warn: mod === 'warn', info: mod === 'info', ordered: mod === 'ordered' },
    expectedFailMessage: undefined,
    expectedFailRegexp: undefined,
    expects: { ordered: [], fail: [], warn: [], no_warn: [], info: [], no_info: [] },
    expectScalar: false,
    expected: new Map(),
    expectedString: undefined,
    excludeFromRangeQuery: false,
  };
}

function parseEval(lines: string[], start: number): [number, EvalCommand] {
  const text = lines[start]!;
  const instant = patEvalInstant.exec(text);
  const range = patEvalRange.exec(text);
  let cmd: EvalCommand;
  if (instant !== null) {
    const at = duration(start, instant[2] ?? '', 'timestamp definition');
    cmd = newEval(start, instant[3]!, false, at, at, 0, instant[1]);
  } else if (range !== null) {
    const from = duration(start, range[2]!, 'start timestamp definition');
    const to = duration(start, range[3]!, 'end timestamp definition');
    if (to < from)
      throw fail(
        start,
        `invalid test definition, end timestamp (${range[3]}) is before start timestamp (${range[2]})`,
      );
    cmd = newEval(start, range[5]!, true, from, to, duration(start, range[4]!, 'step definition'), range[1]);
  } else {
    throw fail(
      start,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'",
    );
  }
  let expectRangeVector = false;
  let i = start;
  for (let j = 1; i + 1 < lines.length; j++) {
    i++;
    const def = lines[i]!;
    if (def === '') {
      i--;
      break;
    }
    // Only the older eval_fail form takes these lines, as in test.go.
    if (cmd.legacy.fail && def.startsWith('expected_fail_message')) {
      cmd.expectedFailMessage = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.legacy.fail && def.startsWith('expected_fail_regexp')) {
      cmd.expectedFailRegexp = compileRegex(i, def.slice('expected_fail_regexp'.length).trim());
      break;
    }
    if (def.startsWith('expect range vector')) {
      const m = patExpectRange.exec(def);
      if (m === null) throw fail(i, `invalid range vector definition ${JSON.stringify(def)}`);
      cmd.startMs = duration(i, m[1]!, 'start timestamp definition');
      cmd.endMs = duration(i, m[2]!, 'end timestamp definition');
      cmd.stepMs = duration(i, m[3]!, 'step definition');
      cmd.evalMs = cmd.endMs;
      cmd.excludeFromRangeQuery = true;
      expectRangeVector = true;
      continue;
    }
    if (def.startsWith('expect string')) {
      const literal = def.slice('expect string'.length).trim();
      if (literal === '')
        throw fail(i, 'expected string literal not valid - a quoted string literal is required');
      cmd.expectedString = wrap(i, () => unquoteString(literal));
      cmd.excludeFromRangeQuery = true;
      continue;
    }
    // A metric named `expect` can still be written as `expect{}`.
    if (def.split(' ')[0] === 'expect') {
      const [kind, expect] = parseExpectLine(i, def);
      cmd.expects[kind].push(expect);
      j--;
      if (cmd.expects.info.length > 0 && cmd.expects.no_info.length > 0) {
        throw fail(i, 'invalid expect lines, info and no_info cannot be used together');
      }
      if (cmd.expects.warn.length > 0 && cmd.expects.no_warn.length > 0) {
        throw fail(i, 'invalid expect lines, warn and no_warn cannot be used together');
      }
      if (cmd.expects.fail.length > 1)
        throw fail(i, 'invalid expect lines, multiple expect fail lines are not allowed');
      continue;
    }
    const scalar = parseExpectedNumber(def);
    if (scalar !== undefined) {
      cmd.expectScalar = true;
      cmd.expected.set('', { pos: 0, labels: {}, values: [{ kind: 'float', value: scalar }] });
      break;
    }
    const series = wrap(i, () => parseSeriesDescription(def));
    if (series.values.length > 1 && !cmd.isRange && !expectRangeVector) {
      throw fail(
        i,
        "expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query",
      );
    }
    cmd.expectScalar = false;
    cmd.expected.set(labelsKey(series.labels), { pos: j, labels: series.labels, values: series.values });
  }
  return [i, cmd];
}

/**
 * Parses a `.test` file into commands.
 * @throws PromqlError `PROMQL_TEST_FILE` with the line number when the file is malformed.
 */
export function parseTestFile(input: string): TestCommand[] {
  const lines = getLines(input);
  const commands: TestCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    if (word === 'clear') {
      commands.push({ kind: 'clear', line: i + 1 });
    } else if (word.startsWith('load')) {
      const [next, cmd] = parseLoad(lines, i);
      commands.push(cmd);
      i = next;
    } else if (word.startsWith('eval')) {
      const [next, cmd] = parseEval(lines, i);
      commands.push(cmd);
      i = next;
    } else {
      throw fail(i, `invalid command ${JSON.stringify(l)}`);
    }
  }
  return commands;
}
