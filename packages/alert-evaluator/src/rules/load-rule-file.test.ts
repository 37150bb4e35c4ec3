import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEvaluatorError, formatRuleFileProblem } from '../errors.ts';
import { checkRuleText, loadRuleFiles } from './load-rule-file.ts';

const good = `groups:
  - name: inference
    interval: 30s
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
      - alert: HighErrorRate
        expr: job:errors:rate5m > 0.5
        for: 2m
        keep_firing_for: 5m
        labels:
          severity: critical
          team: "{{ $labels.job }}"
        annotations:
          summary: "{{ $labels.job }} errors at {{ humanize $value }}"
`;

describe('checkRuleText (Prometheus form)', () => {
  it('loads groups with intervals, durations, labels and annotations', () => {
    const r = checkRuleText('rules.yml', good);
    expect(r.problems).toEqual([]);
    expect(r.format).toBe('prometheus');
    const g = r.groups[0]!;
    expect(g).toMatchObject({ name: 'inference', intervalMs: 30_000, limit: 0 });
    expect(g.rules[0]).toMatchObject({ kind: 'recording', name: 'job:errors:rate5m', source: { line: 5 } });
    expect(g.rules[1]).toMatchObject({
      kind: 'alerting',
      name: 'HighErrorRate',
      forMs: 120_000,
      keepFiringForMs: 300_000,
      labels: { severity: 'critical' },
      source: { file: 'rules.yml', line: 7 },
    });
  });

  it('accepts zero durations and empty annotations on a recording rule, as rulefmt does', () => {
    // A property test against promtool found `keep_firing_for: "0"` refused here and accepted there.
    const zero = `groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum(up)
        for: 0s
        keep_firing_for: "0"
        annotations: {}
`;
    expect(checkRuleText('r.yml', zero).problems).toEqual([]);
    const set = zero.replace('for: 0s', 'for: 1m').replace('annotations: {}', 'annotations: { a: b }');
    expect(checkRuleText('r.yml', set).problems.map((p) => p.message)).toEqual([
      "invalid field 'annotations' in recording rule",
      "invalid field 'for' in recording rule",
    ]);
  });

  it('reports YAML syntax errors with file and line', () => {
    const r = checkRuleText('bad.yml', 'groups:\n  - name: x\n    rules: [\n');
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]!.file).toBe('bad.yml');
    expect(r.problems[0]!.line).toBeGreaterThan(1);
  });

  it('reports schema, duration, template and naming problems by path and line', () => {
    const text = `groups:
  - name: a
    rules:
      - alert: X
        expr: up == 0
        for: 5 minutes
        labels:
          bad-name: x
        annotations:
          summary: "{{ nosuchfunc $value }}"
      - record: "bad name"
        expr: up
        annotations:
          a: b
      - alert: Y
        expr: up
        bogus: 1
  - name: a
    rules: []
`;
    const lines = checkRuleText('r.yml', text).problems.map(formatRuleFileProblem);
    expect(lines).toContain('r.yml:6: groups.0.rules.0.for: not a valid duration string: "5 minutes"');
    expect(lines).toContain('r.yml:8: groups.0.rules.0.labels.bad-name: invalid label name: bad-name');
    expect(
      lines.some((l) =>
        l.startsWith('r.yml:10: groups.0.rules.0.annotations.summary: template does not parse'),
      ),
    ).toBe(true);
    expect(lines).toContain('r.yml:11: groups.0.rules.1.record: invalid recording rule name: bad name');
    expect(lines).toContain(
      "r.yml:13: groups.0.rules.1.annotations: invalid field 'annotations' in recording rule",
    );
    expect(lines).toContain('r.yml:17: groups.0.rules.2.bogus: field bogus not found');
  });

  it('reports a repeated group name and warns about duplicate rules', () => {
    const text = `groups:
  - name: a
    rules:
      - alert: X
        expr: up == 0
      - alert: X
        expr: up == 1
  - name: a
    rules: []
`;
    const r = checkRuleText('d.yml', text);
    expect(r.problems.map(formatRuleFileProblem)).toEqual([
      'd.yml:8: groups.1.name: groupname: "a" is repeated in the same file',
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([6]);
  });

  it('runs the expression validator and the unknown-metric check', () => {
    const r = checkRuleText('v.yml', good, {
      validateExpr: (expr) =>
        expr.startsWith('sum')
          ? { type: 'matrix', metricNames: ['errors_total'] }
          : { error: 'unexpected end of input' },
      isKnownMetric: () => false,
    });
    const lines = r.problems.map(formatRuleFileProblem);
    expect(r.warnings.map(formatRuleFileProblem)).toContain(
      'v.yml:6: groups.0.rules.0.expr: expression type "matrix" fails at every evaluation: a rule must return a vector or scalar',
    );
    expect(lines).toContain('v.yml:6: groups.0.rules.0.expr: unknown metric "errors_total"');
    expect(lines).toContain(
      'v.yml:8: groups.0.rules.1.expr: could not parse expression: unexpected end of input',
    );
  });
});

const threshold = `group: gpu
interval: 15s
alerts:
  - name: GpuQueueBacklog
    query: sum by (pool, region) (queue_depth)
    threshold: 100
    comparison: greater_than_equal
    duration: 1m
    severity: critical
    summary: Queue backlog on {{ $labels.pool }}
    description: Queue depth in {{ $labels.region }} is {{ $value }}
    notification_channels: [pager]
    suppression_enabled: true
    suppression_schedule: "* 2-3 * * 6"
`;

describe('checkRuleText (threshold form)', () => {
  it('converts threshold rules into the alerting model', () => {
    const r = checkRuleText('t.yml', threshold, { channels: ['pager'] });
    expect(r.problems).toEqual([]);
    expect(r.format).toBe('threshold');
    expect(r.groups[0]).toMatchObject({ name: 'gpu', intervalMs: 15_000 });
    expect(r.groups[0]!.rules[0]).toMatchObject({
      kind: 'alerting',
      expr: '(sum by (pool, region) (queue_depth)) >= 100',
      forMs: 60_000,
      labels: { severity: 'critical' },
      annotations: { summary: 'Queue backlog on {{ $labels.pool }}' },
      channels: ['pager'],
      suppressionSchedule: '* 2-3 * * 6',
    });
  });

  it('rejects unknown channels, short texts, bad enums, and a schedule without suppression_enabled', () => {
    const bad = threshold
      .replace('[pager]', '[pager, email]')
      .replace('Queue backlog on {{ $labels.pool }}', 'short')
      .replace('critical', 'urgent');
    const lines = checkRuleText('t.yml', bad, { channels: ['pager'] }).problems.map(formatRuleFileProblem);
    expect(lines).toContain('t.yml:10: alerts.0.summary: summary must be at least 10 characters');
    expect(lines.some((l) => l.startsWith('t.yml:9: alerts.0.severity:'))).toBe(true);
    const disabled = threshold.replace('suppression_enabled: true', 'suppression_enabled: false');
    expect(
      checkRuleText('t.yml', disabled, { channels: ['pager'] }).problems.map(formatRuleFileProblem),
    ).toEqual([
      't.yml:14: alerts.0.suppression_schedule: suppression_schedule requires suppression_enabled: true',
    ]);
    const channelLines = checkRuleText('t.yml', threshold.replace('[pager]', '[pager, email]'), {
      channels: ['pager'],
    }).problems.map(formatRuleFileProblem);
    expect(checkRuleText('t.yml', threshold.replace('[pager]', '[pager, email]')).problems).toEqual([]);
    expect(channelLines).toEqual([
      't.yml:12: alerts.0.notification_channels.1: notification channel "email" is not configured',
    ]);
    // A channel listed twice would page twice.
    const twice = checkRuleText('t.yml', threshold.replace('[pager]', '[pager, pager]'), {
      channels: ['pager'],
    }).problems.map(formatRuleFileProblem);
    expect(twice).toEqual([
      't.yml:12: alerts.0.notification_channels.1: notification channel "pager" is listed twice',
    ]);
  });

  it('reports the problems of valid fields of a rule even when other fields fail the schema', () => {
    const bad = threshold
      .replace('Queue backlog on {{ $labels.pool }}', 'short')
      .replace('sum by (pool, region) (queue_depth)', 'sum by (pool, region) (queue_depth')
      .replace('duration: 1m', 'duration: 1 minute')
      .replace('[pager]', '[pager, email]')
      .replace('suppression_enabled: true', 'suppression_enabled: false')
      .replace('Queue depth in {{ $labels.region }} is {{ $value }}', 'Queue depth in {{ $labels.region ');
    const lines = checkRuleText('t.yml', bad, { channels: ['pager'] }).problems.map(formatRuleFileProblem);
    expect(lines).toContain('t.yml:10: alerts.0.summary: summary must be at least 10 characters');
    expect(lines).toContain('t.yml:8: alerts.0.duration: not a valid duration string: "1 minute"');
    expect(lines).toContain(
      't.yml:12: alerts.0.notification_channels.1: notification channel "email" is not configured',
    );
    expect(lines).toContain(
      't.yml:14: alerts.0.suppression_schedule: suppression_schedule requires suppression_enabled: true',
    );
    expect(lines.some((l) => l.startsWith('t.yml:5: alerts.0.query: could not parse expression:'))).toBe(
      true,
    );
    expect(lines.some((l) => l.startsWith('t.yml:11: alerts.0.description: template does not parse:'))).toBe(
      true,
    );
    // A query is still checked on its own when the comparison or threshold is what is wrong.
    const badComparison = threshold
      .replace('greater_than_equal', 'above')
      .replace('sum by (pool, region) (queue_depth)', 'sum(');
    const more = checkRuleText('t.yml', badComparison, { channels: ['pager'] }).problems.map(
      formatRuleFileProblem,
    );
    expect(more.some((l) => l.startsWith('t.yml:7: alerts.0.comparison:'))).toBe(true);
    expect(more.some((l) => l.startsWith('t.yml:5: alerts.0.query: could not parse expression:'))).toBe(true);
  });

  it('rejects duplicate names and invalid cron patterns', () => {
    const body = threshold.slice(threshold.indexOf('  - name'));
    const text = threshold + body.replace('"* 2-3 * * 6"', '"not a cron"');
    const lines = checkRuleText('t.yml', text, { channels: ['pager'] }).problems.map(formatRuleFileProblem);
    expect(lines).toContain(
      't.yml:15: alerts.1.name: duplicate rule name "GpuQueueBacklog" (first at alerts.0)',
    );
    expect(
      lines.some((l) => l.startsWith('t.yml:25: alerts.1.suppression_schedule: invalid cron pattern')),
    ).toBe(true);
  });
});

describe('loadRuleFiles on hostile files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Writes `content` to a fresh rule file and returns the error loading it throws. */
  async function loadError(content: string | Buffer): Promise<AlertEvaluatorError> {
    dir = mkdtempSync(join(tmpdir(), 'yardstick-rules-'));
    const file = join(dir, 'rules.yml');
    writeFileSync(file, content);
    const error = await loadRuleFiles([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertEvaluatorError);
    return error as AlertEvaluatorError;
  }

  it('refuses an alias bomb with file:line instead of a ReferenceError, in bounded time', async () => {
    const levels = ['  - name: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) {
      levels.push(`    l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
    }
    const start = performance.now();
    const error = await loadError(`groups:\n${levels.join('\n')}\n`);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(error.code).toBe('RULE_FILE_YAML');
    expect(error.message).toMatch(
      /rules\.yml:5: alias \*l2 expands too much .*YAML alias bombs are refused$/m,
    );
  });

  it('refuses invalid UTF-8 at the line of the first bad byte', async () => {
    const bytes = Buffer.concat([
      Buffer.from('groups:\n  - name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const error = await loadError(bytes);
    expect(error.problems).toEqual([
      expect.objectContaining({ line: 2, message: 'invalid UTF-8 (byte 0xe9): save the file as UTF-8' }),
    ]);
  });

  it('reports a duplicate key at its line', async () => {
    const error = await loadError('groups:\n  - name: a\n    name: b\n    rules: []\n');
    expect(error.problems).toEqual([
      expect.objectContaining({ line: 3, message: 'duplicate key "name" (first at line 2)' }),
    ]);
  });
});
