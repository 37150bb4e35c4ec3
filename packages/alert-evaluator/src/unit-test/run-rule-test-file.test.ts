import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRuleTestReport, runRuleTestFile, runRuleTestFiles } from './run-rule-test-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'ae-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'rules.yml'),
  `groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 2m
        keep_firing_for: 1m
        annotations:
          summary: "{{ $labels.instance }} down, value {{ $value }}"
`,
);

function testFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `rule_files: [rules.yml]\nevaluation_interval: 1m\n${body}`);
  return path;
}

const input = `    input_series:
      - series: 'up{job="api", instance="a"}'
        values: '1 0 0 0 0 1 1 1'
      - series: 'up{job="api", instance="b"}'
        values: '1x7'
`;

describe('runRuleTestFile', () => {
  it('passes alert and expression tests that match, with the closing summary line', async () => {
    const path = testFile(
      'ok.test.yml',
      `tests:
  - interval: 1m
${input}    alert_rule_test:
      - eval_time: 2m
        alertname: Down
      - eval_time: 3m
        alertname: Down
        exp_alerts:
          - exp_labels: { job: api, instance: a }
            exp_annotations: { summary: "a down, value 0" }
      - eval_time: 5m
        alertname: Down
        exp_alerts:
          - exp_labels: { job: api, instance: a }
            exp_annotations: { summary: "a down, value 0" }
      - eval_time: 6m
        alertname: Down
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 1m
        exp_samples:
          - labels: 'job:up:sum{job="api"}'
            value: 1
      - expr: count(ALERTS)
        eval_time: 3m
        exp_samples:
          - labels: '{}'
            value: 1
`,
    );
    const r = await runRuleTestFile(path);
    expect(r.tests.flatMap((t) => t.errors)).toEqual([]);
    expect(r.summary).toBe('1 passed, 0 failed, 0 skipped');
    expect(formatRuleTestReport(r)).toContain('SUCCESS');
  });

  it('reports mismatching alerts and samples the way promtool does', async () => {
    const path = testFile(
      'bad.test.yml',
      `tests:
  - name: mismatches
    interval: 1m
${input}    alert_rule_test:
      - eval_time: 1m
        alertname: Down
        exp_alerts:
          - exp_labels: { job: api, instance: a }
    promql_expr_test:
      - expr: job:up:sum
        eval_time: 1m
        exp_samples:
          - labels: 'job:up:sum{job="api"}'
            value: 2
  - name: fine
    interval: 1m
${input}`,
    );
    const r = await runRuleTestFile(path);
    expect(r.summary).toBe('1 passed, 1 failed, 0 skipped');
    const [alertErr, exprErr] = r.tests[0]!.errors;
    expect(alertErr).toContain('alertname: Down, time: 1m');
    expect(alertErr).toContain('Labels:{alertname="Down", instance="a", job="api"}');
    expect(alertErr).toContain('got:[]');
    expect(exprErr).toBe(
      '    expr: "job:up:sum", time: 1m,\n        exp: {__name__="job:up:sum", job="api"} 2E+00\n        got: {__name__="job:up:sum", job="api"} 1E+00',
    );
  });

  it('fails the file when a rule file does not load or the YAML is invalid, without throwing', async () => {
    const missing = join(dir, 'missing.test.yml');
    writeFileSync(missing, 'rule_files: [nope.yml]\ntests: []\n');
    const r = await runRuleTestFile(missing);
    expect(r.fileError).toMatch(/nope\.yml/);
    expect(r.summary).toBe('0 passed, 1 failed, 0 skipped');
    const bad = join(dir, 'bad-schema.test.yml');
    writeFileSync(bad, 'rule_files: [rules.yml]\nunknown_key: 1\n');
    expect((await runRuleTestFile(bad)).fileError).toMatch(/unknown_key/);
    expect((await runRuleTestFile(join(dir, 'does-not-exist.yml'))).failed).toBe(1);
  });

  it('stops a test group at a rule evaluation error and reports it', async () => {
    writeFileSync(
      join(dir, 'dup.yml'),
      'groups:\n  - name: d\n    rules:\n      - alert: Dup\n        expr: up\n        labels: { instance: x }\n',
    );
    const path = join(dir, 'dup.test.yml');
    writeFileSync(
      path,
      'rule_files: [dup.yml]\ntests:\n  - interval: 1m\n    input_series:\n' +
        "      - series: up{instance='a'}\n        values: 1 1 1 1\n" +
        "      - series: up{instance='b'}\n        values: _ 1 1 1\n" +
        '    alert_rule_test:\n      - eval_time: 2m\n        alertname: Dup\n',
    );
    const r = await runRuleTestFile(path);
    // Exactly what promtool 2.42 prints for this file.
    expect(r.tests[0]!.errors).toEqual([
      '    rule: Dup, time: 1m0s, err: vector contains metrics with the same labelset after applying alert labels',
    ]);
  });

  it('totals several files into one closing line', async () => {
    const ok = testFile('total-ok.test.yml', `tests:\n  - interval: 1m\n${input}`);
    const missing = join(dir, 'total-missing.test.yml');
    writeFileSync(missing, 'rule_files: [nope.yml]\n');
    const r = await runRuleTestFiles([ok, missing]);
    expect(r.summary).toBe('1 passed, 1 failed, 0 skipped');
    expect(r.files.map((f) => f.file)).toEqual([ok, missing]);
  });
});
