/**
 * Self-metrics of the evaluator on a given OTel meter. Names follow the OTel→Prometheus translation, so
 * they appear on `/metrics` as `yardstick_alerts_active`, `yardstick_rule_evaluation_duration_seconds`,
 * `yardstick_rule_evaluation_failures_total`, `yardstick_notifications_{sent,failed,dropped}_total` and
 * `yardstick_rule_reloads_total` / `yardstick_rule_last_reload_success`.
 */
import type { Meter } from '@opentelemetry/api';
import type { NotifierObserver } from '../notifiers/notifier.ts';
import type { AlertSnapshot } from '../state/alert.ts';
import type { RuleGroupObserver } from '../state/rule-group.ts';

/** The hooks the evaluator reports through, bound to instruments. */
export interface EvaluatorMetrics {
  readonly groups: RuleGroupObserver;
  readonly notifiers: NotifierObserver;
  reloaded(ok: boolean): void;
}

/** Creates the instruments on `meter`; `alerts` is read at each collection for the active-alerts gauge. */
export function createEvaluatorMetrics(
  meter: Meter,
  alerts: () => readonly AlertSnapshot[],
): EvaluatorMetrics {
  const active = meter.createObservableGauge('yardstick_alerts_active', {
    description: 'Alerts that are pending, firing or suppressed, by alert name, state and severity.',
  });
  // Every label set ever reported, so one that empties reads 0: an observable gauge only exports what it
  // observes, and a series left out would keep its last value (pending 1 after the alert fired).
  const seen = new Map<string, { alertname: string; alertstate: string; severity: string }>();
  active.addCallback((result) => {
    const counts = new Map<string, number>();
    for (const a of alerts()) {
      if (a.state === 'inactive') continue;
      const attributes = {
        alertname: a.labels.alertname ?? a.rule,
        alertstate: a.state,
        severity: a.labels.severity ?? '',
      };
      const key = `${attributes.alertname}\u0000${attributes.alertstate}\u0000${attributes.severity}`;
      if (!seen.has(key)) seen.set(key, attributes);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, attributes] of seen) result.observe(counts.get(key) ?? 0, attributes);
  });
  const duration = meter.createHistogram('yardstick_rule_evaluation_duration', {
    description: 'Time to evaluate one rule.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
  });
  const failures = meter.createCounter('yardstick_rule_evaluation_failures', {
    description: 'Rule evaluations that failed (query error, limit, duplicate label sets).',
  });
  const missed = meter.createCounter('yardstick_rule_group_iterations_missed', {
    description: 'Group evaluations skipped because the previous one overran its interval.',
  });
  const sent = meter.createCounter('yardstick_notifications_sent', {
    description: 'Alerts delivered to a channel.',
  });
  const failed = meter.createCounter('yardstick_notifications_failed', {
    description: 'Alerts whose delivery attempt to a channel failed.',
  });
  const dropped = meter.createCounter('yardstick_notifications_dropped', {
    description: 'Alerts dropped from a full notification queue.',
  });
  const reloads = meter.createCounter('yardstick_rule_reloads', { description: 'Rule reloads, by result.' });
  let lastReloadOk = 1;
  meter
    .createObservableGauge('yardstick_rule_last_reload_success', {
      description: 'Whether the last rule reload succeeded (1) or kept the previous rules (0).',
    })
    .addCallback((r) => r.observe(lastReloadOk));
  return {
    groups: {
      ruleEvaluated(group, rule, durationMs, ok) {
        duration.record(durationMs / 1000, { rule_group: group });
        if (!ok) failures.add(1, { rule_group: group, rule });
      },
      groupMissedIterations(group, n) {
        missed.add(n, { rule_group: group });
      },
    },
    notifiers: {
      sent: (channel, n) => sent.add(n, { channel }),
      failed: (channel, n) => failed.add(n, { channel }),
      dropped: (channel, n) => dropped.add(n, { channel }),
    },
    reloaded(ok) {
      lastReloadOk = ok ? 1 : 0;
      reloads.add(1, { result: ok ? 'success' : 'failure' });
    },
  };
}
