import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlertEvaluator,
  type AlertSnapshot,
  type Datasource,
  ManualClock,
  type Notifier,
} from '@yardstick/alert-evaluator';
import { afterAll, describe, expect, it } from 'vitest';
import { validateAlertRules } from './alert-rule.ts';
import { writeThresholdRuleFile } from './alert-rule-file.ts';
import { AlertStateTracker, countActiveAlerts, SPEC_TRANSITIONS } from './alert-state.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-alert-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A datasource whose error ratio the test sets (one series), applying the rule's `> threshold` as PromQL
 * would: the sample is returned only while the comparison holds.
 */
function errorRatio(): Datasource & { value: number } {
  const source = {
    value: 0,
    async query(expr: string) {
      const threshold = Number(/ > ([\d.]+)$/.exec(expr)?.[1]);
      const samples =
        source.value > threshold ? [{ labels: { pool: 'residential' }, value: source.value }] : [];
      return { type: 'vector' as const, samples };
    },
  };
  return source;
}

const at = (hh: number, mm: number, ss = 0): number => Date.UTC(2026, 0, 3, hh, mm, ss);

describe('the alert state machine', () => {
  it('goes Inactive -> Pending -> Firing -> Suppressed -> Firing -> Resolved, and Pending -> Inactive, notifying only what fires', async () => {
    const rules = validateAlertRules(
      [
        {
          name: 'proxy_pool_high_error_rate',
          query: 'sum by (pool) (rate(proxywhirl_requests_total{status="error"}[5m]))',
          threshold: 0.05,
          comparison: 'greater_than',
          duration: '1m',
          severity: 'warning',
          summary: 'High error rate in proxy pool {{ $labels.pool }}',
          description: 'Error rate is {{ $value }} over 5 minutes in {{ $labels.pool }}',
          notification_channels: ['oncall'],
          // Saturdays 02:00-02:59 UTC (2026-01-03 is a Saturday): maintenance.
          suppression_enabled: true,
          suppression_schedule: '* 2 * * 6',
        },
      ],
      { channels: ['oncall'] },
    );
    const file = join(dir, 'rules.yml');
    writeThresholdRuleFile(rules, file);
    const sent: AlertSnapshot[][] = [];
    const notifier: Notifier = {
      name: 'oncall',
      async notify(alerts) {
        sent.push([...alerts]);
        return { ok: true, accepted: alerts.length };
      },
    };
    const source = errorRatio();
    const clock = new ManualClock(at(1, 0));
    const evaluator = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource: source,
      notifiers: new Map([['oncall', notifier]]),
      clock,
    });
    const [group] = evaluator.groups();
    const tracker = new AlertStateTracker();
    const path: string[] = [];
    const step = async (time: number, value: number): Promise<string> => {
      await clock.advance(time - clock.now());
      source.value = value;
      await group!.evaluate(time);
      for (const t of tracker.observe(evaluator.alerts(), time)) {
        expect(SPEC_TRANSITIONS.has(`${t.from}>${t.to}`) || `${t.from}>${t.to}` === 'resolved>pending').toBe(
          true,
        );
        path.push(t.to);
      }
      return tracker.stateOf('proxy_pool_high_error_rate', {
        alertname: 'proxy_pool_high_error_rate',
        pool: 'residential',
        severity: 'warning',
      });
    };

    expect(await step(at(1, 0), 0.01)).toBe('inactive');
    expect(await step(at(1, 0, 30), 0.2)).toBe('pending');
    expect(await step(at(1, 1, 0), 0.2)).toBe('pending');
    expect(await step(at(1, 1, 40), 0.2)).toBe('firing');
    expect(countActiveAlerts(evaluator.alerts())).toBe(1);
    expect(await step(at(2, 0, 10), 0.2)).toBe('suppressed');
    expect(countActiveAlerts(evaluator.alerts())).toBe(0);
    expect(await step(at(3, 0, 10), 0.2)).toBe('firing');
    expect(await step(at(3, 0, 40), 0.01)).toBe('resolved');
    expect(countActiveAlerts(evaluator.alerts())).toBe(0);
    expect(path).toEqual(['pending', 'firing', 'suppressed', 'firing', 'resolved']);

    // Pending -> Inactive: the condition clears before the duration is met.
    path.length = 0;
    expect(await step(at(4, 0, 0), 0.3)).toBe('pending');
    expect(await step(at(4, 0, 30), 0.01)).toBe('inactive');
    expect(path).toEqual(['pending', 'inactive']);
    const states = sent.flat().map((a) => a.state);
    expect(states).toContain('firing');
    expect(states).not.toContain('pending');
    expect(states).not.toContain('suppressed');
    await evaluator.stop();
  });
});
