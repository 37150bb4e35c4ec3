/**
 * Loading and validating rule files, in either form, with every problem located as `file:line`: YAML
 * syntax, schema (zod, by path), durations, PromQL syntax and types, duplicate names, label names,
 * templates that don't parse, channels that don't exist, and optionally unknown metrics.
 */
import { readFile } from 'node:fs/promises';
import { Cron } from 'croner';
import type { z } from 'zod';
import { AlertEvaluatorError, formatRuleFileProblem, type RuleFileProblem } from '../errors.ts';
import { compileAlertTemplate } from '../templates/alert-template.ts';
import { decodeUtf8 } from '../yaml/decode-utf8.ts';
import { parseDuration } from './duration.ts';
import type { ExprValidator } from './expr-validator.ts';
import { promqlExprValidator } from './promql-validator.ts';
import {
  prometheusFileShapeSchema,
  prometheusGroupShapeSchema,
  prometheusRuleSchema,
  type ThresholdRule,
  type ThresholdRuleFile,
  thresholdFileShapeSchema,
  thresholdRuleSchema,
} from './rule-file-schema.ts';
import type { RuleDefinition, RuleGroupDefinition } from './rule-model.ts';
import { DEFAULT_THRESHOLD_GROUP, thresholdExpr, thresholdToAlertingRule } from './threshold-rules.ts';
import { type LocatedYaml, parseLocatedYaml } from './yaml-positions.ts';

/** Options of rule loading and checking. */
export interface RuleLoadOptions {
  /**
   * Names of the configured notification channels; threshold rules may only reference these. When
   * absent, channel names are not checked.
   */
  readonly channels?: Iterable<string>;
  /** PromQL checker; the embedded parser ({@link promqlExprValidator}) by default. */
  readonly validateExpr?: ExprValidator;
  /** When given, selectors of metrics for which this returns false are reported as unknown. */
  readonly isKnownMetric?: (name: string) => boolean;
}

/** The outcome of checking one rule file. */
export interface RuleFileCheck {
  readonly file: string;
  /** Which form the file was written in. */
  readonly format: 'prometheus' | 'threshold';
  /** The groups, when there were no problems (empty otherwise). */
  readonly groups: readonly RuleGroupDefinition[];
  /** The parsed threshold file, for conversion (threshold form without problems only). */
  readonly threshold: ThresholdRuleFile | undefined;
  readonly problems: readonly RuleFileProblem[];
  /** Things Prometheus accepts but that are likely mistakes (duplicate rules). */
  readonly warnings: readonly RuleFileProblem[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

type Path = readonly PropertyKey[];

class Checker {
  readonly problems: RuleFileProblem[] = [];
  readonly warnings: RuleFileProblem[] = [];
  readonly file: string;
  readonly yaml: LocatedYaml;
  readonly options: RuleLoadOptions;

  constructor(file: string, yaml: LocatedYaml, options: RuleLoadOptions) {
    this.file = file;
    this.yaml = yaml;
    this.options = options;
  }

  add(path: Path, message: string, keyLine = false): void {
    const key = path[path.length - 1];
    const line =
      keyLine && typeof key === 'string'
        ? this.yaml.lineOfKey(path.slice(0, -1), key)
        : this.yaml.lineOf(path);
    this.problems.push({ file: this.file, line, path: path.join('.'), message });
  }

  /** Parses `value` (found at `at`) with `schema`, reporting every issue at its own line. */
  parse<T>(schema: z.ZodType<T>, value: unknown, at: Path): T | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = [...at, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) this.add([...path, key], `field ${key} not found`, true);
      } else {
        this.add(path, issue.message);
      }
    }
    return undefined;
  }

  schedule(path: Path, enabled: boolean, pattern: string | undefined): void {
    if (pattern === undefined) return;
    if (!enabled) this.add(path, 'suppression_schedule requires suppression_enabled: true');
    try {
      new Cron(pattern, { paused: true });
    } catch (err) {
      this.add(path, `invalid cron pattern: ${(err as Error).message}`);
    }
  }

  duration(path: Path, text: string | undefined): number {
    if (text === undefined) return 0;
    try {
      return parseDuration(text);
    } catch (err) {
      this.add(path, (err as Error).message);
      return 0;
    }
  }

  expr(path: Path, expr: string): void {
    if (expr.trim() === '') {
      this.add(path, 'field expr must be non-empty');
      return;
    }
    const check = (this.options.validateExpr ?? promqlExprValidator)(expr);
    if (check.error !== undefined) {
      this.add(path, `could not parse expression: ${check.error}`);
      return;
    }
    if (check.type === 'matrix' || check.type === 'string') {
      // promtool accepts this, but every evaluation fails: a warning keeps check parity with Prometheus.
      this.warnings.push({
        file: this.file,
        line: this.yaml.lineOf(path),
        path: path.join('.'),
        message: `expression type "${check.type}" fails at every evaluation: a rule must return a vector or scalar`,
      });
    }
    const known = this.options.isKnownMetric;
    if (known) {
      for (const name of check.metricNames ?? []) {
        if (!known(name)) this.add(path, `unknown metric "${name}"`);
      }
    }
  }

  labels(path: Path, labels: Readonly<Record<string, string>> | null | undefined, templated: boolean): void {
    for (const [name, value] of Object.entries(labels ?? {})) {
      if (!LABEL_NAME.test(name) || name === '__name__') {
        this.add([...path, name], `invalid label name: ${name}`, true);
      }
      if (templated) this.template([...path, name], `__alert_${name}`, value);
    }
  }

  template(path: Path, name: string, text: string): void {
    try {
      compileAlertTemplate(name, text);
    } catch (err) {
      this.add(path, `template does not parse: ${(err as Error).message}`);
    }
  }
}

function checkPrometheusForm(c: Checker, data: unknown): RuleGroupDefinition[] {
  const file = c.parse(prometheusFileShapeSchema, data ?? {}, []);
  const groups: RuleGroupDefinition[] = [];
  const groupNames = new Set<string>();
  (file?.groups ?? []).forEach((rawGroup, gi) => {
    const gp = ['groups', gi];
    const g = c.parse(prometheusGroupShapeSchema, rawGroup, gp);
    if (g === undefined) return;
    if (groupNames.has(g.name)) c.add([...gp, 'name'], `groupname: "${g.name}" is repeated in the same file`);
    groupNames.add(g.name);
    const intervalMs = g.interval === undefined ? undefined : c.duration([...gp, 'interval'], g.interval);
    const seen = new Map<string, number>();
    const rules: RuleDefinition[] = [];
    (g.rules ?? []).forEach((rawRule, ri) => {
      const rp = [...gp, 'rules', ri];
      const r = c.parse(prometheusRuleSchema, rawRule, rp);
      if (r === undefined) return;
      const source = { file: c.file, line: c.yaml.lineOf(rp) };
      const labels = r.labels ?? {};
      // As in rulefmt, an empty name is an absent one.
      const record = r.record === '' ? undefined : r.record;
      const alert = r.alert === '' ? undefined : r.alert;
      if (record !== undefined && alert !== undefined) {
        c.add(rp, "only one of 'record' and 'alert' must be set");
        return;
      }
      if (record === undefined && alert === undefined) {
        c.add(rp, "one of 'record' or 'alert' must be set");
        return;
      }
      c.expr([...rp, 'expr'], r.expr);
      if (record !== undefined) {
        if (!METRIC_NAME.test(record)) c.add([...rp, 'record'], `invalid recording rule name: ${record}`);
        // rulefmt refuses these only when set to something: an empty map or a zero duration passes.
        if (Object.keys(r.annotations ?? {}).length > 0)
          c.add([...rp, 'annotations'], "invalid field 'annotations' in recording rule", true);
        if (c.duration([...rp, 'for'], r.for) !== 0)
          c.add([...rp, 'for'], "invalid field 'for' in recording rule", true);
        if (c.duration([...rp, 'keep_firing_for'], r.keep_firing_for) !== 0) {
          c.add([...rp, 'keep_firing_for'], "invalid field 'keep_firing_for' in recording rule", true);
        }
        c.labels([...rp, 'labels'], labels, false);
        rules.push({ kind: 'recording', name: record, expr: r.expr, labels, source });
      } else {
        const name = alert!;
        c.labels([...rp, 'labels'], labels, true);
        for (const [k, v] of Object.entries(r.annotations ?? {})) {
          if (!LABEL_NAME.test(k)) c.add([...rp, 'annotations', k], `invalid annotation name: ${k}`, true);
          c.template([...rp, 'annotations', k], `__alert_${name}`, v);
        }
        rules.push({
          kind: 'alerting',
          name,
          expr: r.expr,
          forMs: c.duration([...rp, 'for'], r.for),
          keepFiringForMs: c.duration([...rp, 'keep_firing_for'], r.keep_firing_for),
          labels,
          annotations: r.annotations ?? {},
          channels: [],
          suppressionSchedule: undefined,
          source,
        });
      }
      const key = `${record ?? alert}\u0000${JSON.stringify(Object.entries(labels).sort())}`;
      const first = seen.get(key);
      if (first !== undefined) {
        c.warnings.push({
          file: c.file,
          line: source.line,
          path: rp.join('.'),
          message: `duplicate rule: ${record ?? alert} has the same name and labels as rule ${first}`,
        });
      } else seen.set(key, ri);
    });
    groups.push({ name: g.name, file: c.file, intervalMs, limit: Math.max(0, g.limit ?? 0), rules });
  });
  return groups;
}

/** The fields of a threshold rule that pass the schema on their own (when the rule as a whole does not). */
function validThresholdFields(raw: unknown): Partial<ThresholdRule> {
  const out: Record<string, unknown> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [key, schema] of Object.entries(thresholdRuleSchema.shape)) {
    const value = (raw as Record<string, unknown>)[key];
    const parsed = schema.safeParse(value);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out as Partial<ThresholdRule>;
}

function checkThresholdForm(
  c: Checker,
  data: unknown,
): { groups: RuleGroupDefinition[]; file: ThresholdRuleFile | undefined } {
  const shape = c.parse(thresholdFileShapeSchema, data, []);
  if (shape === undefined) return { groups: [], file: undefined };
  // Without a channel configuration (e.g. `rules check` on its own) channel names cannot be checked.
  const channels = c.options.channels === undefined ? undefined : new Set(c.options.channels);
  const names = new Map<string, number>();
  const rules: RuleDefinition[] = [];
  const alerts: ThresholdRule[] = [];
  shape.alerts.forEach((raw, i) => {
    const rp = ['alerts', i];
    const a = c.parse(thresholdRuleSchema, raw, rp);
    // The fields that are valid on their own are still checked, so one pass reports every problem.
    const f = a ?? validThresholdFields(raw);
    if (a !== undefined) alerts.push(a);
    if (f.suppression_schedule !== undefined) {
      c.schedule([...rp, 'suppression_schedule'], f.suppression_enabled ?? true, f.suppression_schedule);
    }
    if (f.name !== undefined) {
      const first = names.get(f.name);
      if (first !== undefined)
        c.add([...rp, 'name'], `duplicate rule name "${f.name}" (first at alerts.${first})`);
      else names.set(f.name, i);
    }
    c.duration([...rp, 'duration'], f.duration);
    c.duration([...rp, 'keep_firing_for'], f.keep_firing_for);
    f.notification_channels?.forEach((ch, ci) => {
      if (f.notification_channels!.indexOf(ch) < ci) {
        c.add([...rp, 'notification_channels', ci], `notification channel "${ch}" is listed twice`);
      } else if (channels !== undefined && !channels.has(ch)) {
        c.add([...rp, 'notification_channels', ci], `notification channel "${ch}" is not configured`);
      }
    });
    c.labels([...rp, 'labels'], f.labels, true);
    const texts = { ...f.annotations, summary: f.summary, description: f.description };
    for (const [k, v] of Object.entries(texts)) {
      if (v === undefined) continue;
      const path = k === 'summary' || k === 'description' ? [...rp, k] : [...rp, 'annotations', k];
      if (!LABEL_NAME.test(k)) c.add(path, `invalid annotation name: ${k}`, true);
      c.template(path, `__alert_${f.name ?? ''}`, v);
    }
    if (f.query !== undefined) {
      const whole = f.comparison !== undefined && f.threshold !== undefined;
      c.expr([...rp, 'query'], whole ? thresholdExpr(f as ThresholdRule) : f.query);
    }
    // Durations are only converted once valid; a file with problems yields no groups anyway.
    if (a !== undefined && c.problems.length === 0) {
      rules.push(thresholdToAlertingRule(a, c.file, c.yaml.lineOf(rp)));
    }
  });
  const intervalMs = shape.interval === undefined ? undefined : c.duration(['interval'], shape.interval);
  return {
    groups: [{ name: shape.group ?? DEFAULT_THRESHOLD_GROUP, file: c.file, intervalMs, limit: 0, rules }],
    file: { ...shape, alerts },
  };
}

/**
 * Checks rule-file text. `file` is used in messages only. The form is picked by the top-level key:
 * `alerts:` is the threshold form, anything else Prometheus's.
 */
export function checkRuleText(file: string, text: string, options: RuleLoadOptions = {}): RuleFileCheck {
  const yaml = parseLocatedYaml(file, text);
  const isThreshold =
    yaml.data !== null && typeof yaml.data === 'object' && !Array.isArray(yaml.data) && 'alerts' in yaml.data;
  const format = isThreshold ? 'threshold' : 'prometheus';
  if (yaml.problems.length > 0) {
    return { file, format, groups: [], threshold: undefined, problems: yaml.problems, warnings: [] };
  }
  const c = new Checker(file, yaml, options);
  const result = isThreshold
    ? checkThresholdForm(c, yaml.data)
    : { groups: checkPrometheusForm(c, yaml.data), file: undefined };
  const ok = c.problems.length === 0;
  return {
    file,
    format,
    groups: ok ? result.groups : [],
    threshold: ok ? result.file : undefined,
    problems: c.problems,
    warnings: c.warnings,
  };
}

/** Reads and checks one rule file; a read failure or invalid UTF-8 is reported as a problem, not thrown. */
export async function checkRuleFile(path: string, options: RuleLoadOptions = {}): Promise<RuleFileCheck> {
  const unreadable = (line: number | undefined, message: string): RuleFileCheck => ({
    file: path,
    format: 'prometheus',
    groups: [],
    threshold: undefined,
    problems: [{ file: path, line, path: '', message }],
    warnings: [],
  });
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return unreadable(undefined, (err as Error).message);
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) return unreadable(decoded.line, `${decoded.message}: save the file as UTF-8`);
  return checkRuleText(path, decoded.text, options);
}

/**
 * Loads rule files into groups, or throws one `RULE_FILE_INVALID` (or `RULE_FILE_YAML`) error listing
 * every problem of every file as `file:line: path: message`.
 */
export async function loadRuleFiles(
  paths: readonly string[],
  options: RuleLoadOptions = {},
): Promise<RuleGroupDefinition[]> {
  const checks = await Promise.all(paths.map((p) => checkRuleFile(p, options)));
  const problems = checks.flatMap((c) => c.problems);
  if (problems.length > 0) {
    const yamlOnly = checks.every((c) => c.problems.every((p) => p.path === ''));
    throw new AlertEvaluatorError(
      yamlOnly ? 'RULE_FILE_YAML' : 'RULE_FILE_INVALID',
      `invalid rule files:\n${problems.map(formatRuleFileProblem).join('\n')}`,
      { problems },
    );
  }
  return checks.flatMap((c) => c.groups);
}
