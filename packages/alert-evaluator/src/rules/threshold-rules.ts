/**
 * The threshold form, turned into the Prometheus rule model (`(query) > threshold` with `for`, a
 * `severity` label, `summary`/`description` annotations), and written back out as a Prometheus rule file.
 */
import { stringify } from 'yaml';
import { parseDuration } from './duration.ts';
import { THRESHOLD_COMPARISONS, type ThresholdRule, type ThresholdRuleFile } from './rule-file-schema.ts';
import type { AlertingRuleDefinition } from './rule-model.ts';

/** Group name used when a threshold file names none. */
export const DEFAULT_THRESHOLD_GROUP = 'threshold-alerts';

/** The PromQL expression of a threshold rule. */
export function thresholdExpr(rule: ThresholdRule): string {
  return `(${rule.query}) ${THRESHOLD_COMPARISONS[rule.comparison]} ${rule.threshold}`;
}

/** A threshold rule in the shared model. Durations must already be valid. */
export function thresholdToAlertingRule(
  rule: ThresholdRule,
  file: string,
  line: number | undefined,
): AlertingRuleDefinition {
  return {
    kind: 'alerting',
    name: rule.name,
    expr: thresholdExpr(rule),
    forMs: rule.duration === undefined ? 0 : parseDuration(rule.duration),
    keepFiringForMs: rule.keep_firing_for === undefined ? 0 : parseDuration(rule.keep_firing_for),
    labels: { ...rule.labels, severity: rule.severity },
    annotations: { ...rule.annotations, summary: rule.summary, description: rule.description },
    channels: rule.notification_channels,
    suppressionSchedule: rule.suppression_enabled ? rule.suppression_schedule : undefined,
    source: { file, line },
  };
}

/** The result of {@link convertThresholdRules}. */
export interface ThresholdConversion {
  /** A Prometheus rule file (YAML) that `promtool check rules` accepts. */
  readonly yaml: string;
  /** What the Prometheus form cannot express, one line per rule concerned. */
  readonly warnings: readonly string[];
}

/**
 * Writes a validated threshold file in Prometheus's format. Channels become a `channels` label (route on
 * it in Alertmanager); suppression schedules have no Prometheus equivalent and are reported as warnings
 * (use an Alertmanager `mute_time_intervals` entry instead).
 */
export function convertThresholdRules(file: ThresholdRuleFile): ThresholdConversion {
  const warnings: string[] = [];
  const rules = file.alerts.map((rule) => {
    if (rule.suppression_enabled && rule.suppression_schedule !== undefined) {
      warnings.push(
        `${rule.name}: suppression_schedule "${rule.suppression_schedule}" has no Prometheus equivalent; ` +
          'configure an Alertmanager mute_time_interval',
      );
    }
    const out: Record<string, unknown> = { alert: rule.name, expr: thresholdExpr(rule) };
    if (rule.duration !== undefined && parseDuration(rule.duration) > 0) out.for = rule.duration;
    if (rule.keep_firing_for !== undefined) out.keep_firing_for = rule.keep_firing_for;
    out.labels = { ...rule.labels, severity: rule.severity, channels: rule.notification_channels.join(',') };
    out.annotations = { ...rule.annotations, summary: rule.summary, description: rule.description };
    return out;
  });
  const group: Record<string, unknown> = { name: file.group ?? DEFAULT_THRESHOLD_GROUP };
  if (file.interval !== undefined) group.interval = file.interval;
  group.rules = rules;
  return { yaml: stringify({ groups: [group] }, { lineWidth: 0 }), warnings };
}
