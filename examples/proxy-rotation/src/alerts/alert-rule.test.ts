import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRuleFile } from '@yardstick/alert-evaluator';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertRuleInput, validateAlertRules } from './alert-rule.ts';
import { loadAlertRuleFile, writeThresholdRuleFile } from './alert-rule-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxywhirl-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const channels = ['slack-ops', 'pagerduty-oncall'];

/** The spec's own example rule. */
const example: AlertRuleInput = {
  name: 'proxy_pool_high_error_rate',
  query: 'rate(proxywhirl_requests_total{status="error"}[5m])',
  threshold: 0.05,
  comparison: 'greater_than',
  duration: '5m',
  severity: 'warning',
  summary: 'High error rate in proxy pool {{ $labels.pool }}',
  description: 'Error rate is {{ $value | humanizePercentage }} over 5 minutes',
  annotations: { runbook: 'https://wiki.example.com/runbooks/proxy-errors' },
  notification_channels: ['slack-ops', 'pagerduty-oncall'],
  suppression_enabled: false,
};

function problemsOf(rules: unknown[]): string {
  try {
    validateAlertRules(rules, { channels });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the rules to be refused');
}

describe('AlertRule', () => {
  it("accepts the spec's example and fills in the defaults", () => {
    const [rule] = validateAlertRules([{ ...example, duration: undefined, suppression_enabled: undefined }], {
      channels,
    });
    expect(rule).toMatchObject({
      duration: '5m',
      suppression_enabled: false,
      annotations: example.annotations,
    });
  });

  it.each([
    [{ name: 'proxy-pool high' }, 'alerts[0].name: must be letters, digits and underscores only'],
    [{ threshold: 0 }, 'alerts[0].threshold: must be > 0'],
    [{ threshold: -1 }, 'alerts[0].threshold: must be > 0'],
    [{ duration: '5 minutes' }, 'alerts[0].duration: must be a Prometheus duration'],
    [{ duration: '1h30m' }, 'alerts[0].duration: must be a Prometheus duration'],
    [{ summary: 'too short' }, 'alerts[0].summary: must be at least 10 characters'],
    [{ description: 'nineteen characters' }, 'alerts[0].description: must be at least 20 characters'],
    [{ notification_channels: [] }, 'alerts[0].notification_channels: needs at least 1'],
    [
      { notification_channels: Array(11).fill('slack-ops') },
      'alerts[0].notification_channels: allows at most 10',
    ],
    [
      { notification_channels: ['email-ops'] },
      'alerts[0].notification_channels[0]: notification channel "email-ops" is not configured',
    ],
    [
      { suppression_schedule: '* 2 * * 6' },
      'alerts[0].suppression_enabled: must be true when suppression_schedule is set',
    ],
    [
      { suppression_enabled: true, suppression_schedule: 'at night' },
      'alerts[0].suppression_schedule: must be a cron expression',
    ],
    [{ comparison: 'above' }, 'alerts[0].comparison:'],
    [{ severity: 'page' }, 'alerts[0].severity:'],
    [{ query: 'rate(proxywhirl_requests_total[5m]' }, 'alerts[0].query: is not valid PromQL'],
    [
      { annotations: { 'run-book': 'x' } },
      'alerts[0].annotations.run-book: annotation keys must be alphanumeric',
    ],
  ])('refuses %o', (change, expected) => {
    expect(problemsOf([{ ...example, ...change }])).toContain(expected);
  });

  it('refuses a second rule of the same name and reports every bad rule, not just the first', () => {
    const message = problemsOf([example, { ...example, name: 'other', threshold: 0 }, { ...example }]);
    expect(message.split('\n')).toEqual([
      'alerts[1].threshold: must be > 0',
      'alerts[2].name: "proxy_pool_high_error_rate" is already the name of alerts[0]',
    ]);
  });
});

describe('alert rule files', () => {
  it('loads rules from YAML and names the file and line of each problem', () => {
    const file = join(dir, 'alerts.yml');
    writeFileSync(
      file,
      `alerts:
  - name: proxy_pool_high_error_rate
    query: rate(proxywhirl_requests_total{status="error"}[5m])
    threshold: 0.05
    comparison: greater_than
    severity: warning
    summary: High error rate in proxy pool {{ $labels.pool }}
    description: Error rate is {{ $value | humanizePercentage }} over 5 minutes
    notification_channels: [slack-ops]
  - name: proxy_pool_no_healthy
    query: sum by (pool) (proxywhirl_pool_proxies{health_status="healthy"})
    threshold: -1
    comparison: less_than
    severity: critical
    summary: No healthy proxy
    description: Every proxy of pool {{ $labels.pool }} failed its health checks
    notification_channels: [slack-ops, email]
`,
    );
    expect(() => loadAlertRuleFile(file, { channels })).toThrow(
      [
        `${file}:12: alerts[1].threshold: must be > 0`,
        `${file}:17: alerts[1].notification_channels[1]: notification channel "email" is not configured`,
      ].join('\n'),
    );
    writeFileSync(file, '{ alerts: [ }\n');
    expect(() => loadAlertRuleFile(file, { channels })).toThrow(new RegExp(`^${file}:1: `));
  });

  it('writes a threshold-form file (0600) that the evaluator accepts with the same channels', async () => {
    const rules = validateAlertRules(
      [
        example,
        {
          ...example,
          name: 'maintenance_muted',
          suppression_enabled: true,
          suppression_schedule: '* 2 * * 6',
        },
      ],
      { channels },
    );
    const out = join(dir, 'thresholds.yml');
    writeThresholdRuleFile(rules, out, { interval: '15s' });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const check = await checkRuleFile(out, { channels });
    expect(check.problems).toEqual([]);
    expect(check.format).toBe('threshold');
    expect(loadAlertRuleFile(out, { channels })).toEqual(rules);
  });
});
