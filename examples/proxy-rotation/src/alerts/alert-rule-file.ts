/**
 * Alert rules in YAML (seed 000 T050, T060): an `alerts:` list of {@link AlertRule}s, read with the strict YAML
 * reader of `@yardstick/alert-evaluator` (duplicate keys and alias bombs refused) and validated with the spec's
 * rules, each problem at its line; and written out in yardstick's threshold form, which the SDK's in-process
 * evaluator loads (`alerting.ruleFiles`) and `yardstick rules convert` turns into a Prometheus rule file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseStrictYaml } from '@yardstick/alert-evaluator';
import {
  type AlertRule,
  AlertRuleError,
  alertRuleProblems,
  alertRuleSchema,
  type ValidateAlertRulesOptions,
} from './alert-rule.ts';

/** A rule file larger than this is refused unread. */
const MAX_RULE_FILE_BYTES = 1024 * 1024;

function fileError(file: string, line: number | undefined, message: string): AlertRuleError {
  return new AlertRuleError([{ path: [], message }], () =>
    line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`,
  );
}

/**
 * Reads and validates a rule file (`alerts:` with the spec's fields).
 *
 * @throws AlertRuleError every problem as `file:line: alerts[i].field: message`
 */
export function loadAlertRuleFile(file: string, options: ValidateAlertRulesOptions): AlertRule[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw fileError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (Buffer.byteLength(text) > MAX_RULE_FILE_BYTES) {
    throw fileError(file, undefined, `is larger than ${MAX_RULE_FILE_BYTES} bytes`);
  }
  const yaml = parseStrictYaml(text);
  const first = yaml.problems[0];
  if (first !== undefined) throw fileError(file, first.line, first.message);
  const data = yaml.data as { alerts?: unknown } | null;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.alerts)) {
    throw fileError(file, 1, 'alerts: must be a list of alert rules');
  }
  const rules: unknown[] = data.alerts;
  const problems = alertRuleProblems(rules, options);
  if (problems.length > 0) {
    const lineOf = (path: readonly (string | number)[]): number | undefined => {
      // The deepest node of the path that exists (a missing field is reported at its rule).
      for (let depth = path.length; depth >= 0; depth--) {
        const node = yaml.document.getIn(['alerts', ...path.slice(0, depth)], true) as
          | { range?: [number, number, number] }
          | undefined;
        if (node?.range) return yaml.lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    };
    throw new AlertRuleError(
      problems.map((p) => ({ ...p, path: ['alerts', ...p.path] })),
      (p) => {
        const line = lineOf(p.path.slice(1));
        const path = p.path.map((part, i) =>
          typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`,
        );
        return `${file}${line === undefined ? '' : `:${line}`}: ${path.join('')}: ${p.message}`;
      },
    );
  }
  return rules.map((raw) => alertRuleSchema.parse(raw));
}

/**
 * Writes validated rules as a threshold-form file (mode 0600) for the SDK's evaluator: same fields, the
 * `duration` as `for`, channels and the suppression schedule kept. `interval` is the evaluation interval.
 */
export function writeThresholdRuleFile(
  rules: readonly AlertRule[],
  file: string,
  options: { readonly group?: string; readonly interval?: string } = {},
): void {
  const alerts = rules.map((rule) => ({
    name: rule.name,
    query: rule.query,
    threshold: rule.threshold,
    comparison: rule.comparison,
    duration: rule.duration,
    severity: rule.severity,
    summary: rule.summary,
    description: rule.description,
    ...(Object.keys(rule.annotations).length > 0 ? { annotations: rule.annotations } : {}),
    notification_channels: rule.notification_channels,
    suppression_enabled: rule.suppression_enabled,
    ...(rule.suppression_schedule === undefined ? {} : { suppression_schedule: rule.suppression_schedule }),
  }));
  const document = {
    group: options.group ?? 'proxywhirl',
    ...(options.interval === undefined ? {} : { interval: options.interval }),
    alerts,
  };
  // JSON is YAML: the evaluator's YAML reader takes it, and no YAML writer is needed here.
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
}
