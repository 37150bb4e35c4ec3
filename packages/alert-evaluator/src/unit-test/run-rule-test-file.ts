/**
 * Runs promtool rule unit-test files (`promtool test rules`) on the embedded engine, with promtool's
 * semantics (`cmd/promtool/unittest.go`): input series at `interval` steps from time 0, every group
 * evaluated at each `evaluation_interval` step in `group_eval_order`, alert tests compared after the
 * evaluation at or before their `eval_time` (firing alerts only, `alertname` added to the expected
 * labels), expression tests compared exactly after all evaluations.
 */
import { glob, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { isStaleNaN, type Labels, SampleStore } from '@yardstick/promql';
import { parse as parseYaml } from 'yaml';
import { asVector, type QuerySample } from '../datasources/datasource.ts';
import { createEmbeddedDatasource } from '../datasources/embedded-datasource.ts';
import { formatDuration, parseDuration } from '../rules/duration.ts';
import { loadRuleFiles } from '../rules/load-rule-file.ts';
import type { RuleGroupDefinition } from '../rules/rule-model.ts';
import { RuleGroup } from '../state/rule-group.ts';
import { formatGoFloat } from '../templates/go-format.ts';
import { type RuleTestGroup, ruleTestFileSchema } from './rule-test-file.ts';
import { expandSeriesValues, parseSeriesLabels } from './series-notation.ts';

/** The outcome of one entry of `tests`. */
export interface RuleTestCaseResult {
  readonly name: string;
  readonly status: 'passed' | 'failed';
  /** promtool-style failure descriptions (empty when passed). */
  readonly errors: readonly string[];
}

/** The outcome of one unit-test file. */
export interface RuleTestFileResult {
  readonly file: string;
  readonly tests: readonly RuleTestCaseResult[];
  /** A problem with the file itself (YAML, schema, rule files); the file then counts as one failure. */
  readonly fileError: string | undefined;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** `N passed, N failed, N skipped`. */
  readonly summary: string;
}

/** Options of {@link runRuleTestFile}. */
export interface RunRuleTestOptions {
  /** The engine's lookback delta. Default 5m, as promtool. */
  readonly lookbackDeltaMs?: number;
}

/** Go's `time.Duration.String()` for non-negative milliseconds (`0s`, `500ms`, `1m30s`, `1h0m0s`). */
function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const secs = ((ms % 60_000) / 1000).toString();
  if (h > 0) return `${h}h${m}m${secs}s`;
  if (m > 0) return `${m}m${secs}s`;
  return `${secs}s`;
}

function labelsString(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}

function alertKey(labels: Labels, annotations: Labels): string {
  return `Labels:${labelsString(labels)}\nAnnotations:${labelsString(annotations)}`;
}

function listString(items: readonly string[]): string {
  if (items.length === 0) return '[]';
  const body = items.map((s, i) => `${i}:\n${s.replace(/^/gm, '  ')}`).join(',\n');
  return `[\n${body}\n]`;
}

function indent(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}

/** promtool's `parsedSample.String()`: labels, then `strconv.FormatFloat(v, 'E', -1, 64)`. */
function samplesString(samples: readonly { labels: Labels; value: number }[]): string {
  if (samples.length === 0) return 'nil';
  return samples
    .map((s) => `${labelsString(s.labels)} ${formatGoFloat(s.value, 'e', -1).replace('e', 'E')}`)
    .join(', ');
}

async function resolveRuleFiles(testFile: string, patterns: readonly string[]): Promise<string[]> {
  const base = dirname(testFile);
  const out: string[] = [];
  for (const p of patterns) {
    const full = isAbsolute(p) ? p : join(base, p);
    if (!/[*?[]/.test(full)) {
      out.push(full);
      continue;
    }
    const matches: string[] = [];
    for await (const m of glob(full)) matches.push(m);
    out.push(...matches.sort());
  }
  return out;
}

function parseExpLabels(text: string | null | undefined): Labels {
  const t = (text ?? '').trim();
  return t === '' || t === '{}' ? {} : parseSeriesLabels(t);
}

async function runTestGroup(
  tg: RuleTestGroup,
  groups: readonly RuleGroupDefinition[],
  evalIntervalMs: number,
  options: RunRuleTestOptions,
): Promise<string[]> {
  const errors: string[] = [];
  const intervalMs = tg.interval === undefined ? evalIntervalMs : parseDuration(tg.interval);
  const store = new SampleStore();
  for (const s of tg.input_series ?? []) {
    const labels = parseSeriesLabels(s.series);
    expandSeriesValues(s.values).forEach((v, i) => {
      if (v === 'stale') store.appendStaleMarker(labels, i * intervalMs);
      else if (v !== undefined) store.append(labels, i * intervalMs, v);
    });
  }
  const datasource = createEmbeddedDatasource(store, { lookbackDeltaMs: options.lookbackDeltaMs ?? 300_000 });
  const ruleGroups = groups.map(
    (g) =>
      new RuleGroup(g, {
        datasource,
        defaultIntervalMs: evalIntervalMs,
        externalLabels: tg.external_labels ?? {},
        externalURL: tg.external_url ?? '',
        sink: {
          append(labels, t, v) {
            if (isStaleNaN(v)) store.appendStaleMarker(labels, t);
            else store.append(labels, t, v);
          },
        },
      }),
  );
  const alertTests = (tg.alert_rule_test ?? []).map((a) => ({ ...a, evalMs: parseDuration(a.eval_time) }));
  const exprTests = (tg.promql_expr_test ?? []).map((e) => ({ ...e, evalMs: parseDuration(e.eval_time) }));
  for (const a of alertTests) {
    if (a.alertname === '') throw new Error('an alert_rule_test is missing its alertname');
  }
  const maxT = Math.max(0, ...alertTests.map((a) => a.evalMs), ...exprTests.map((e) => e.evalMs));
  const testName = tg.name === undefined || tg.name === '' ? '' : `    name: ${tg.name},\n`;
  for (let ts = 0; ts <= maxT; ts += evalIntervalMs) {
    const evalErrors: string[] = [];
    for (const g of ruleGroups) {
      await g.evaluate(ts);
      g.rules.forEach((r, i) => {
        const h = g.ruleHealth(i);
        // promtool prints this time as a Go time.Duration (1m0s), unlike the test times (1m).
        if (h.health === 'err')
          evalErrors.push(`    rule: ${r.name}, time: ${goDurationString(ts)}, err: ${h.lastError}`);
      });
    }
    if (evalErrors.length > 0) return [...errors, ...evalErrors];
    for (const t of alertTests) {
      if (!(ts <= t.evalMs && t.evalMs < ts + evalIntervalMs)) continue;
      const got = ruleGroups
        .flatMap((g) => g.alerts())
        .filter((a) => a.rule === t.alertname && (a.state === 'firing' || a.state === 'suppressed'))
        .map((a) => alertKey(a.labels, a.annotations))
        .sort();
      const exp = (t.exp_alerts ?? [])
        .map((e) => alertKey({ ...e.exp_labels, alertname: t.alertname }, e.exp_annotations ?? {}))
        .sort();
      if (JSON.stringify(got) !== JSON.stringify(exp)) {
        errors.push(
          `${testName}    alertname: ${t.alertname}, time: ${formatDuration(t.evalMs)}, \n        exp:${indent(
            listString(exp),
            '            ',
          )}, \n        got:${indent(listString(got), '            ')}`,
        );
      }
    }
  }
  for (const e of exprTests) {
    let got: readonly QuerySample[];
    try {
      got = asVector(await datasource.query(e.expr, e.evalMs));
    } catch (err) {
      errors.push(
        `    expr: ${JSON.stringify(e.expr)}, time: ${formatDuration(e.evalMs)}, err: ${(err as Error).message}`,
      );
      continue;
    }
    let exp: { labels: Labels; value: number }[];
    try {
      exp = (e.exp_samples ?? []).map((s) => ({ labels: parseExpLabels(s.labels), value: s.value }));
    } catch (err) {
      errors.push(
        `    expr: ${JSON.stringify(e.expr)}, time: ${formatDuration(e.evalMs)}, err: ${(err as Error).message}`,
      );
      continue;
    }
    const byLabels = (a: { labels: Labels }, b: { labels: Labels }) =>
      labelsString(a.labels) < labelsString(b.labels)
        ? -1
        : labelsString(a.labels) > labelsString(b.labels)
          ? 1
          : 0;
    const gotSorted = [...got].sort(byLabels);
    const expSorted = [...exp].sort(byLabels);
    // Go's reflect.DeepEqual: exact float equality, so NaN never matches.
    const same =
      gotSorted.length === expSorted.length &&
      gotSorted.every(
        (g, i) =>
          labelsString(g.labels) === labelsString(expSorted[i]!.labels) && g.value === expSorted[i]!.value,
      );
    if (!same) {
      errors.push(
        `    expr: ${JSON.stringify(e.expr)}, time: ${formatDuration(e.evalMs)},\n        exp: ${samplesString(
          expSorted,
        )}\n        got: ${samplesString(gotSorted)}`,
      );
    }
  }
  return errors;
}

function result(
  file: string,
  tests: RuleTestCaseResult[],
  fileError: string | undefined,
): RuleTestFileResult {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.length - passed + (fileError === undefined ? 0 : 1);
  return {
    file,
    tests,
    fileError,
    passed,
    failed,
    skipped: 0,
    summary: `${passed} passed, ${failed} failed, 0 skipped`,
  };
}

/**
 * Runs one promtool unit-test file. Never throws: unreadable files, bad YAML and rule files that do not
 * load are reported in `fileError` and counted as a failure.
 *
 * @example
 * const r = await runRuleTestFile('tests/alerts.test.yml');
 * console.log(r.summary); // "3 passed, 0 failed, 0 skipped"
 */
export async function runRuleTestFile(
  path: string,
  options: RunRuleTestOptions = {},
): Promise<RuleTestFileResult> {
  let parsed: ReturnType<typeof ruleTestFileSchema.parse>;
  let groups: RuleGroupDefinition[];
  let evalIntervalMs: number;
  try {
    const raw = parseYaml(await readFile(path, 'utf8'));
    const check = ruleTestFileSchema.safeParse(raw ?? {});
    if (!check.success) {
      throw new Error(check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    }
    parsed = check.data;
    evalIntervalMs =
      parsed.evaluation_interval === undefined ? 60_000 : parseDuration(parsed.evaluation_interval);
    if (evalIntervalMs <= 0) throw new Error('evaluation_interval must be positive');
    groups = await loadRuleFiles(await resolveRuleFiles(path, parsed.rule_files ?? []));
    const order = parsed.group_eval_order ?? [];
    if (order.length > 0) {
      const byName = new Map(groups.map((g) => [g.name, g]));
      for (const name of order)
        if (!byName.has(name)) throw new Error(`group name "${name}" in group_eval_order not found`);
      if (order.length !== byName.size) throw new Error('group_eval_order must list every group');
      groups = order.map((n) => byName.get(n)!);
    }
  } catch (err) {
    return result(path, [], (err as Error).message);
  }
  const tests: RuleTestCaseResult[] = [];
  for (const [i, tg] of (parsed.tests ?? []).entries()) {
    const name = tg.name ?? `#${i + 1}`;
    let errors: string[];
    try {
      errors = await runTestGroup(tg, groups, evalIntervalMs, options);
    } catch (err) {
      errors = [`    ${(err as Error).message}`];
    }
    tests.push({ name, status: errors.length === 0 ? 'passed' : 'failed', errors });
  }
  return result(path, tests, undefined);
}

/**
 * promtool's report for one file, byte for byte in layout: `Unit Testing:  FILE`, then `  SUCCESS` or
 * `  FAILED:` with each failure followed by a blank line, then a blank line.
 */
export function formatRuleTestReport(r: RuleTestFileResult): string {
  const head = `Unit Testing:  ${r.file}\n`;
  const errors = r.fileError !== undefined ? [r.fileError] : r.tests.flatMap((t) => t.errors);
  if (errors.length === 0) return `${head}  SUCCESS\n\n`;
  return `${head}  FAILED:\n${errors.map((e) => `${e}\n\n`).join('')}\n`;
}

/** The outcome of several unit-test files. */
export interface RuleTestRunResult {
  readonly files: readonly RuleTestFileResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** `N passed, N failed, N skipped` over every file (the closing line of `yardstick rules test`). */
  readonly summary: string;
}

/** Runs several unit-test files in order and totals them. */
export async function runRuleTestFiles(
  paths: readonly string[],
  options: RunRuleTestOptions = {},
): Promise<RuleTestRunResult> {
  const files: RuleTestFileResult[] = [];
  for (const p of paths) files.push(await runRuleTestFile(p, options));
  const passed = files.reduce((n, f) => n + f.passed, 0);
  const failed = files.reduce((n, f) => n + f.failed, 0);
  const skipped = files.reduce((n, f) => n + f.skipped, 0);
  return {
    files,
    passed,
    failed,
    skipped,
    summary: `${passed} passed, ${failed} failed, ${skipped} skipped`,
  };
}
