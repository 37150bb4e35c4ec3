/**
 * `/api/v1/rules` and `/api/v1/alerts` in Prometheus's JSON shapes, from the in-process alert evaluator, so
 * Grafana's alert list, the web UI and scripts written for Prometheus read yardstick's rules unchanged.
 */
import {
  type AlertEvaluator,
  AlertingRule,
  type AlertSnapshot,
  type RuleGroup,
} from '@yardstick/alert-evaluator';

/** Go's zero time, which Prometheus reports as the last evaluation of a rule never evaluated. */
const NEVER = '0001-01-01T00:00:00Z';

/** An alert as Prometheus's API writes it; `suppressed` is yardstick's addition (maintenance windows). */
export interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
  /** Firing, but inside a suppression window of its rule: not notified. */
  readonly suppressed?: true;
}

/** Filters of `/api/v1/rules` (`type`, `rule_name[]`, `rule_group[]`, `file[]`). */
export interface RuleFilter {
  readonly type: 'alert' | 'record' | undefined;
  readonly ruleNames: readonly string[];
  readonly groupNames: readonly string[];
  readonly files: readonly string[];
}

/** A value as Go's `strconv.FormatFloat(v, 'e', -1, 64)`, which Prometheus uses for alert values. */
export function formatAlertValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const exp = Number(exponent);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function apiAlert(alert: AlertSnapshot): ApiAlert | undefined {
  if (alert.state === 'inactive') return undefined;
  const base = {
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    state: alert.state === 'pending' ? ('pending' as const) : ('firing' as const),
    activeAt: new Date(alert.activeAt).toISOString(),
    value: formatAlertValue(alert.value),
  };
  return alert.state === 'suppressed' ? { ...base, suppressed: true } : base;
}

function activeAlerts(alerts: readonly AlertSnapshot[]): ApiAlert[] {
  return alerts.flatMap((a) => apiAlert(a) ?? []);
}

function isoOrNever(ms: number | undefined): string {
  return ms === undefined ? NEVER : new Date(ms).toISOString();
}

function groupJson(group: RuleGroup, filter: RuleFilter) {
  let groupEvaluationSeconds = 0;
  let groupLastEvaluation: number | undefined;
  const rules = group.rules.flatMap((rule, index): object[] => {
    const health = group.ruleHealth(index);
    groupEvaluationSeconds += health.evaluationDurationMs / 1000;
    if (health.lastEvaluation !== undefined)
      groupLastEvaluation = Math.max(groupLastEvaluation ?? 0, health.lastEvaluation);
    const definition = rule.definition;
    if (filter.ruleNames.length > 0 && !filter.ruleNames.includes(definition.name)) return [];
    const common = {
      name: definition.name,
      query: definition.expr,
      labels: { ...definition.labels },
      health: health.health,
      ...(health.lastError === undefined ? {} : { lastError: health.lastError }),
      evaluationTime: health.evaluationDurationMs / 1000,
      lastEvaluation: isoOrNever(health.lastEvaluation),
    };
    if (definition.kind === 'recording')
      return filter.type === 'alert' ? [] : [{ ...common, type: 'recording' as const }];
    if (filter.type === 'record') return [];
    const alerts = activeAlerts(rule instanceof AlertingRule ? rule.alerts() : []);
    const state = alerts.some((a) => a.state === 'firing')
      ? 'firing'
      : alerts.length > 0
        ? 'pending'
        : 'inactive';
    return [
      {
        state,
        name: definition.name,
        query: definition.expr,
        duration: definition.forMs / 1000,
        keepFiringFor: definition.keepFiringForMs / 1000,
        labels: { ...definition.labels },
        annotations: { ...definition.annotations },
        alerts,
        health: common.health,
        ...(health.lastError === undefined ? {} : { lastError: health.lastError }),
        evaluationTime: common.evaluationTime,
        lastEvaluation: common.lastEvaluation,
        type: 'alerting' as const,
        // yardstick's maintenance window (a cron pattern), shown by the web UI; Prometheus has none.
        ...(definition.suppressionSchedule === undefined
          ? {}
          : { suppressionSchedule: definition.suppressionSchedule }),
      },
    ];
  });
  return {
    name: group.name,
    file: group.file,
    rules,
    interval: group.intervalMs / 1000,
    limit: group.definition.limit,
    evaluationTime: groupEvaluationSeconds,
    lastEvaluation: isoOrNever(groupLastEvaluation),
  };
}

/**
 * The `data` of `/api/v1/rules`: every group with its rules, health and alerts. Like Prometheus, a group
 * whose rules are all filtered out is left out when a rule filter is given.
 */
export function rulesData(evaluator: AlertEvaluator | undefined, filter: RuleFilter) {
  const groups = (evaluator?.groups() ?? [])
    .filter((g) => filter.groupNames.length === 0 || filter.groupNames.includes(g.name))
    .filter((g) => filter.files.length === 0 || filter.files.includes(g.file))
    .map((g) => groupJson(g, filter))
    .filter((g) => g.rules.length > 0 || (filter.type === undefined && filter.ruleNames.length === 0));
  return { groups };
}

/** The `data` of `/api/v1/alerts`: every pending and firing alert. */
export function alertsData(evaluator: AlertEvaluator | undefined) {
  return { alerts: activeAlerts(evaluator?.alerts() ?? []) };
}
