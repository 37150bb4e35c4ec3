/**
 * `runPromqlTestFile`: runs a Prometheus `.test` file against the yardstick engine over a fresh
 * {@link SampleStore}, with the checks of `promql/promqltest/test.go`: expected failures and their
 * messages, warn/info annotations, result comparison, and the re-run of every instant eval as a range
 * query around the same instant. Evals that need what yardstick does not model are skipped with a reason.
 */
import { evaluateInstant, evaluateRange } from '../engine/evaluate.ts';
import type { InstantValue, MatrixValue, QueryResult, VectorSample } from '../engine/types.ts';
import { PromqlError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { parseExpr } from '../parser/parse-expr.ts';
import type { Queryable } from '../storage/queryable.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { atModifierVariants } from './at-modifier-variants.ts';
import { classicToNhcb } from './classic-to-nhcb.ts';
import { compareLabelSets, compareResult, formatLabels, ResultMismatch } from './compare.ts';
import { MarkedSeries, type SkipReason, skipReason } from './skip-reason.ts';
import type { EvalCommand, ExpectLine, LoadCommand } from './test-file.ts';
import { parseTestFile } from './test-file.ts';

/** The outcome of one `eval` command. */
export interface EvalResult {
  /** 1-based line of the `eval` in the file. */
  readonly line: number;
  readonly expr: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Set when skipped. */
  readonly skipReason?: SkipReason;
  /** Set when failed: what differed, in Prometheus's wording. */
  readonly message?: string;
  /** Set when a result differed: the expectation and the result, one series per line. */
  readonly expected?: string;
  readonly got?: string;
}

/** Outcome of a whole file. */
export interface TestFileResult {
  readonly results: readonly EvalResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The engine the runner drives; by default yardstick's {@link evaluateInstant} and {@link evaluateRange}. */
export interface ConformanceEngine {
  instant(queryable: Queryable, expr: Expr, timeMs: number): QueryResult<InstantValue>;
  range(
    queryable: Queryable,
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
  ): QueryResult<MatrixValue>;
}

/** Options of {@link runPromqlTestFile}. */
export interface RunTestFileOptions {
  /** Run evals of experimental functions instead of skipping them. Default `false`. */
  readonly runExperimental?: boolean;
  /** Abort one query after this long (it then fails). Default 10 s. */
  readonly queryTimeoutMs?: number;
  /** Replaces the engine, e.g. to run the files against another implementation. */
  readonly engine?: ConformanceEngine;
}

function defaultEngine(timeoutMs: number): ConformanceEngine {
  // Prometheus's test engine: 5m lookback, 1m default subquery step, and promqltest's
  // DefaultMaxSamplesPerQuery of 10,000 samples held at once, so the corpus also checks the engine's
  // sample count is no stricter than Prometheus's.
  const options = {
    timeoutMs,
    maxSamples: 10_000,
    lookbackDeltaMs: 5 * 60_000,
    defaultSubqueryStepMs: 60_000,
  };
  return {
    instant: (q, e, t) => evaluateInstant(q, e, t, options),
    range: (q, e, s, end, step) => evaluateRange(q, e, s, end, step, options),
  };
}

/** A failed check: the message, and the two sides when a result differed. */
class EvalFailure extends Error {
  override readonly name = 'EvalFailure';
  readonly expected: string | undefined;
  readonly got: string | undefined;

  constructor(message: string, expected?: string, got?: string) {
    super(message);
    this.expected = expected;
    this.got = got;
  }
}

/** An `expect` line matches by exact message or by regex search, as `expectCmd.CheckMatch` does. */
function matchesExpect(expect: ExpectLine, actual: string): boolean {
  if (expect.regex !== undefined) return expect.regex.test(actual);
  return expect.message === actual;
}

function isFail(cmd: EvalCommand): boolean {
  return cmd.legacy.fail || cmd.expects.fail.length > 0;
}

function isOrdered(cmd: EvalCommand): boolean {
  return cmd.legacy.ordered || cmd.expects.ordered.length > 0;
}

function checkExpectedFailure(cmd: EvalCommand, error: PromqlError): void {
  const actual = error.message;
  if (cmd.expectedFailMessage !== undefined && cmd.expectedFailMessage !== actual) {
    throw new EvalFailure(`expected error ${JSON.stringify(cmd.expectedFailMessage)}, but got: ${actual}`);
  }
  if (cmd.expectedFailRegexp !== undefined && !cmd.expectedFailRegexp.test(actual)) {
    throw new EvalFailure(
      `expected error matching pattern ${cmd.expectedFailRegexp.source}, but got: ${actual}`,
    );
  }
  const [expect] = cmd.expects.fail;
  if (expect !== undefined && !matchesExpect(expect, actual)) {
    throw new EvalFailure(
      `expected error matching ${expect.message ?? expect.regex?.source}, but got: ${actual}`,
    );
  }
}

function checkAnnotationsOfType(
  expects: readonly ExpectLine[],
  actual: readonly string[],
  type: string,
): void {
  if (expects.length === 0) return;
  if (actual.length === 0) throw new EvalFailure(`expected ${type} annotations but none were found`);
  for (const e of expects) {
    if (!actual.some((a) => matchesExpect(e, a))) {
      throw new EvalFailure(
        `expected ${type} annotation matching ${JSON.stringify(e.message ?? e.regex?.source)} but no matching annotation was found, found: ${JSON.stringify(actual)}`,
      );
    }
  }
  for (const a of actual) {
    if (!expects.some((e) => matchesExpect(e, a)))
      throw new EvalFailure(`unexpected ${type} annotation ${JSON.stringify(a)} found`);
  }
}

function checkAnnotations(cmd: EvalCommand, result: QueryResult<unknown>): void {
  if (cmd.legacy.warn && result.warnings.length === 0)
    throw new EvalFailure('expected warnings but got none');
  if (cmd.legacy.info && result.infos.length === 0)
    throw new EvalFailure('expected info annotations but got none');
  checkAnnotationsOfType(cmd.expects.warn, result.warnings, 'warn');
  checkAnnotationsOfType(cmd.expects.info, result.infos, 'info');
  if (cmd.expects.no_warn.length > 0 && result.warnings.length > 0) {
    throw new EvalFailure(`unexpected warning annotations: ${JSON.stringify(result.warnings)}`);
  }
  if (cmd.expects.no_info.length > 0 && result.infos.length > 0) {
    throw new EvalFailure(`unexpected info annotations: ${JSON.stringify(result.infos)}`);
  }
}

function compare(cmd: EvalCommand, value: InstantValue, mode = ''): void {
  try {
    compareResult(cmd, value);
  } catch (e) {
    if (e instanceof ResultMismatch) throw new EvalFailure(`${e.message}${mode}`, e.expected, e.got);
    throw e;
  }
}

/** Runs a query; a `PromqlError` is the query's failure, anything else is an engine crash. */
function attempt<T>(run: () => T): { value: T } | { error: PromqlError } {
  try {
    return { value: run() };
  } catch (e) {
    if (e instanceof PromqlError) return { error: e };
    throw new EvalFailure(`engine crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
}

/** Functions whose result depends on the query's own range, which the range-mode re-run would change. */
const queryContextFunctions = /(start|end|range|step)\(\)/;

/** One instant query of an eval: the written one, or one of its `@`-pinned variants. */
interface InstantQuery {
  readonly expr: Expr;
  readonly evalMs: number;
  /** Appended to failure messages to say which query failed. */
  readonly label: string;
  /** Whether start(), end(), range() or step() make the range-mode re-run meaningless. */
  readonly queryContext: boolean;
}

function runInstantQuery(
  cmd: EvalCommand,
  store: Queryable,
  engine: ConformanceEngine,
  query: InstantQuery,
): void {
  const outcome = attempt(() => engine.instant(store, query.expr, query.evalMs));
  if ('error' in outcome) {
    if (isFail(cmd)) {
      checkExpectedFailure(cmd, outcome.error);
      return;
    }
    throw new EvalFailure(`error evaluating query${query.label}: ${outcome.error.message}`);
  }
  if (isFail(cmd)) throw new EvalFailure(`expected error evaluating query${query.label} but got none`);
  const result = outcome.value;
  checkAnnotations(cmd, result);
  compare(cmd, result.value, query.label);
  if (cmd.excludeFromRangeQuery || query.queryContext) return;
  const t = query.evalMs;
  const ranged = attempt(() => engine.range(store, query.expr, t - 60_000, t + 60_000, 60_000));
  if ('error' in ranged) {
    throw new EvalFailure(`error evaluating query${query.label} in range mode: ${ranged.error.message}`);
  }
  // Range results are always sorted by labels, so an ordered expectation cannot hold there.
  if (isOrdered(cmd)) return;
  const series = ranged.value.value.series;
  for (let i = 0; i + 1 < series.length; i++) {
    if (compareLabelSets(series[i]!.labels, series[i + 1]!.labels) > 0) {
      throw new EvalFailure(
        `range mode: matrix not sorted by labels at ${formatLabels(series[i + 1]!.labels)}`,
      );
    }
  }
  const samples: VectorSample[] = [];
  for (const s of series) {
    const index = s.timestamps.indexOf(t);
    if (index !== -1) {
      samples.push({ labels: s.labels, value: s.values[index]!, histogram: s.histograms?.[index] });
    }
  }
  const mode = `${query.label} (range mode)`;
  if (result.value.type === 'scalar') {
    const first = samples[0];
    if (first === undefined) throw new EvalFailure(`expected a scalar but got no points${mode}`);
    compare(cmd, { type: 'scalar', timestampMs: t, value: first.value }, mode);
  } else {
    compare(cmd, { type: 'vector', timestampMs: t, samples }, mode);
  }
}

/** `@ start()` / `@ end()` are pinned away in the variants; only the functions remain query-dependent. */
const atStartOrEnd = /@\s*(start|end)\s*\(\s*\)/g;

function runInstant(
  cmd: EvalCommand,
  store: Queryable,
  engine: ConformanceEngine,
  expr: Expr | PromqlError,
): void {
  if (expr instanceof PromqlError) {
    if (!isFail(cmd)) throw new EvalFailure(`error evaluating query: ${expr.message}`);
    checkExpectedFailure(cmd, expr);
    return;
  }
  const queries: InstantQuery[] = [
    { expr, evalMs: cmd.evalMs, label: '', queryContext: queryContextFunctions.test(cmd.expr) },
  ];
  const variantContext = queryContextFunctions.test(cmd.expr.replace(atStartOrEnd, ''));
  for (const v of atModifierVariants(expr, cmd.evalMs)) {
    const label = ` (pinned with @ ${cmd.evalMs / 1000}, evaluated at ${v.evalMs / 1000}s)`;
    queries.push({ expr: v.expr, evalMs: v.evalMs, label, queryContext: variantContext });
  }
  for (const query of queries) runInstantQuery(cmd, store, engine, query);
}

function runRange(
  cmd: EvalCommand,
  store: Queryable,
  engine: ConformanceEngine,
  expr: Expr | PromqlError,
): void {
  const outcome =
    expr instanceof PromqlError
      ? { error: expr }
      : attempt(() => engine.range(store, expr, cmd.startMs, cmd.endMs, cmd.stepMs));
  if ('error' in outcome) {
    if (isFail(cmd)) {
      checkExpectedFailure(cmd, outcome.error);
      return;
    }
    throw new EvalFailure(`error evaluating query: ${outcome.error.message}`);
  }
  if (isFail(cmd)) throw new EvalFailure('expected error evaluating query but got none');
  checkAnnotations(cmd, outcome.value);
  compare(cmd, outcome.value.value);
}

function load(cmd: LoadCommand, store: SampleStore, startTimes: MarkedSeries): void {
  for (const labels of cmd.startTimeSeries) startTimes.add({ ...labels });
  for (const series of cmd.series) {
    const labels = { ...series.labels };
    series.values.forEach((v, i) => {
      if (v.kind === 'float') store.append(labels, i * cmd.intervalMs, v.value);
      else if (v.kind === 'histogram') {
        // `x` expansions share one instance and the store keeps what it is given: each sample its own copy.
        store.appendHistogram(labels, i * cmd.intervalMs, v.histogram.copy());
      }
    });
  }
  if (!cmd.withNhcb) return;
  for (const { labels, samples } of classicToNhcb(cmd.series, cmd.intervalMs)) {
    for (const { t, histogram } of samples) store.appendHistogram(labels, t, histogram);
  }
}

function parseForEval(text: string): Expr | PromqlError {
  try {
    // As promqltest's TestParserOpts: the corpus calls experimental functions and uses fill modifiers, and
    // whether an eval with experimental functions runs is the skip rule's choice (`runExperimental`).
    return parseExpr(text, { experimentalFunctions: true, binopFillModifiers: true });
  } catch (e) {
    if (e instanceof PromqlError) return e;
    throw e;
  }
}

/**
 * Runs a Prometheus `.test` file (`load`, `clear`, `eval ...`) and reports every eval.
 *
 * @throws PromqlError `PROMQL_TEST_FILE` when the file itself is malformed.
 * @example
 * ```ts
 * const { passed, failed, skipped } = runPromqlTestFile('load 1m\n  up 1 2 3\n\neval instant at 2m up\n  up 3\n');
 * ```
 */
export function runPromqlTestFile(text: string, options: RunTestFileOptions = {}): TestFileResult {
  const engine = options.engine ?? defaultEngine(options.queryTimeoutMs ?? 10_000);
  const results: EvalResult[] = [];
  let store = new SampleStore();
  let data = { startTimes: new MarkedSeries() };
  for (const cmd of parseTestFile(text)) {
    if (cmd.kind === 'clear') {
      store = new SampleStore();
      data = { startTimes: new MarkedSeries() };
      continue;
    }
    if (cmd.kind === 'load') {
      load(cmd, store, data.startTimes);
      continue;
    }
    const expr = parseForEval(cmd.expr);
    const base = { line: cmd.line, expr: cmd.expr };
    const reason = skipReason(cmd, expr, data, options.runExperimental ?? false);
    if (reason !== undefined) {
      results.push({ ...base, status: 'skipped', skipReason: reason });
      continue;
    }
    try {
      if (cmd.isRange) runRange(cmd, store, engine, expr);
      else runInstant(cmd, store, engine, expr);
      results.push({ ...base, status: 'passed' });
    } catch (e) {
      if (!(e instanceof EvalFailure)) throw e;
      const detail = e.expected === undefined ? {} : { expected: e.expected, got: e.got ?? '' };
      results.push({ ...base, status: 'failed', message: e.message, ...detail });
    }
  }
  const count = (status: EvalResult['status']) => results.filter((r) => r.status === status).length;
  return { results, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
