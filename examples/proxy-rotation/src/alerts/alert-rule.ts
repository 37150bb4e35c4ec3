/**
 * `AlertRule` of ProxyWhirl's data model (seed 003; seed 000 T047–T049, T058, T061): every field and rule of
 * the spec. Rules are validated one by one (a bad rule hides no other) and then together: names unique,
 * channels configured, PromQL parsed at load time, and (given the service's ProxyMetrics) every metric a
 * query selects defined as a ProxyMetric (seed 003 cross-entity rule 1).
 */
import { SuppressionWindow } from '@yardstick/alert-evaluator';
import { z } from 'zod';
import { queryMetricProblem } from '../metrics/metric-references.ts';
import type { ProxyMetricRegistry } from '../metrics/proxy-metric-registry.ts';

/** The spec's `ComparisonOperator` values. */
export const COMPARISON_OPERATORS = [
  'greater_than',
  'less_than',
  'equal',
  'greater_than_equal',
  'less_than_equal',
] as const;

/** The spec's `AlertSeverity` values. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;

function validCron(pattern: string): boolean {
  try {
    new SuppressionWindow(pattern);
    return true;
  } catch {
    return false;
  }
}

/** One rule, on its own (name uniqueness and channel existence need the others: {@link validateAlertRules}). */
export const alertRuleSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_]+$/, { error: 'must be letters, digits and underscores only' }),
    query: z.string().min(1, { error: 'must be a PromQL expression' }),
    threshold: z.number().gt(0, { error: 'must be > 0' }),
    comparison: z.enum(COMPARISON_OPERATORS),
    duration: z
      .string()
      .regex(/^\d+[smhd]$/, { error: 'must be a Prometheus duration: digits and one of s, m, h, d (5m, 1h)' })
      .default('5m'),
    severity: z.enum(ALERT_SEVERITIES),
    summary: z.string().min(10, { error: 'must be at least 10 characters' }),
    description: z.string().min(20, { error: 'must be at least 20 characters' }),
    annotations: z
      .record(z.string(), z.string())
      .superRefine((annotations, ctx) => {
        for (const key of Object.keys(annotations)) {
          if (!/^[A-Za-z0-9]+$/.test(key)) {
            ctx.addIssue({ code: 'custom', path: [key], message: 'annotation keys must be alphanumeric' });
          }
        }
      })
      .default({}),
    notification_channels: z
      .array(z.string().min(1))
      .min(1, { error: 'needs at least 1 notification channel' })
      .max(10, { error: 'allows at most 10 notification channels' }),
    suppression_enabled: z.boolean().default(false),
    suppression_schedule: z
      .string()
      .refine(validCron, { error: 'must be a cron expression (minute hour day month weekday)' })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.suppression_schedule !== undefined && !rule.suppression_enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['suppression_enabled'],
        message: 'must be true when suppression_schedule is set',
      });
    }
  });

/** A validated alert rule with defaults filled in. */
export type AlertRule = z.output<typeof alertRuleSchema>;

/** An alert rule as written (fields with defaults optional). */
export type AlertRuleInput = z.input<typeof alertRuleSchema>;

/** One problem of a rule list: where (`alerts[2].threshold`) and why. */
export interface AlertRuleProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Rules that cannot be loaded; every problem on its own line as `alerts[i].field: message`. */
export class AlertRuleError extends Error {
  readonly code = 'ALERT_RULE_INVALID';
  readonly problems: readonly AlertRuleProblem[];

  constructor(problems: readonly AlertRuleProblem[], describe: (p: AlertRuleProblem) => string = formatPath) {
    super(problems.map(describe).join('\n'));
    this.name = 'AlertRuleError';
    this.problems = problems;
  }
}

function formatPath(problem: AlertRuleProblem): string {
  const path = problem.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
  return `${path}: ${problem.message}`;
}

/** Options of {@link validateAlertRules}. */
export interface ValidateAlertRulesOptions {
  /** Names of the configured notification channels; every rule's channels must be among them. */
  readonly channels: Iterable<string>;
  /** The service's ProxyMetrics: when given, every metric a rule's query selects must be one of them. */
  readonly metrics?: ProxyMetricRegistry;
}

/** The problems of a rule list (empty when it is valid), with paths from the list (`[i, field]`). */
export function alertRuleProblems(
  rules: readonly unknown[],
  options: ValidateAlertRulesOptions,
): AlertRuleProblem[] {
  const channels = new Set(options.channels);
  const problems: AlertRuleProblem[] = [];
  const seen = new Map<string, number>();
  rules.forEach((raw, index) => {
    const parsed = alertRuleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          problems.push({
            path: [
              index,
              ...issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
              ...(key ? [key] : []),
            ],
            message: issue.message,
          });
        }
      }
    }
    // The checks across rules run on the raw fields that are usable, so a rule with one bad field still
    // gets its channels, name and query checked.
    const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof fields.name === 'string') {
      const first = seen.get(fields.name);
      if (first !== undefined) {
        problems.push({
          path: [index, 'name'],
          message: `"${fields.name}" is already the name of alerts[${first}]`,
        });
      } else seen.set(fields.name, index);
    }
    if (Array.isArray(fields.notification_channels)) {
      fields.notification_channels.forEach((channel, at) => {
        if (typeof channel === 'string' && channel !== '' && !channels.has(channel)) {
          problems.push({
            path: [index, 'notification_channels', at],
            message: `notification channel "${channel}" is not configured`,
          });
        }
      });
    }
    if (typeof fields.query === 'string' && fields.query !== '') {
      const problem = queryMetricProblem(fields.query, options.metrics);
      if (problem !== undefined) problems.push({ path: [index, 'query'], message: problem });
    }
  });
  // In rule and field order, as the file reads.
  problems.sort((a, b) => (a.path[0] as number) - (b.path[0] as number));
  return problems;
}

/**
 * Validates a list of rules as the spec requires.
 *
 * @throws AlertRuleError listing every problem as `alerts[i].field: message`
 * @example
 * ```ts
 * const rules = validateAlertRules([{ name: 'proxy_pool_high_error_rate', query: '...', threshold: 0.05,
 *   comparison: 'greater_than', severity: 'warning', summary: '...', description: '...',
 *   notification_channels: ['slack-ops'] }], { channels: ['slack-ops'] });
 * ```
 */
export function validateAlertRules(
  rules: readonly unknown[],
  options: ValidateAlertRulesOptions,
): AlertRule[] {
  const problems = alertRuleProblems(rules, options);
  if (problems.length > 0) {
    throw new AlertRuleError(problems.map((p) => ({ ...p, path: ['alerts', ...p.path] })));
  }
  return rules.map((raw) => alertRuleSchema.parse(raw));
}
