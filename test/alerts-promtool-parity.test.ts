/**
 * The same promtool unit-test files run by `promtool test rules` (Prometheus 2.42) and by
 * `runRuleTestFile`: both must pass or fail the same files, on the same alert checks and expressions, and
 * print the same report (unless the rule files themselves do not load, where only the wording differs).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRuleTestReport, runRuleTestFile } from '@yardstick/alert-evaluator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { peer, tempDir } from './support/peers.ts';

const promtool = peer('promtool');
const fixtures = join(import.meta.dirname, 'fixtures', 'rules');
const testFiles = readdirSync(fixtures)
  .filter((f) => f.endsWith('.test.yml'))
  .sort();

/** The checks a report says failed: `alertname: X, time: T` and `expr: "E", time: T` lines. */
function failedChecks(report: string): string[] {
  const found = report.match(/(alertname: [^,]+, time: [^,]+|expr: ".*?", time: [^,\n]+)/g) ?? [];
  return [...new Set(found)].sort();
}

describe.skipIf(promtool.skipReason !== undefined)('promtool test rules parity', () => {
  const tmp = tempDir('yardstick-parity-');
  afterAll(() => tmp.cleanup());

  it('prints the same report as promtool for generated series, for, keep_firing_for and templates (property)', async () => {
    // Values 0..10 with short gaps (`_`) and staleness markers; every series ends with a staleness marker,
    // so no evaluation sees a sample exactly at the lookback edge, where Prometheus 2 and 3 differ.
    const token = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 10 }).map(String) },
      { weight: 1, arbitrary: fc.constant('_') },
      { weight: 1, arbitrary: fc.constant('stale') },
    );
    const values = fc
      .array(token, { minLength: 3, maxLength: 25 })
      .map((tokens) => `${tokens.join(' ').replace(/(_ _ _) _/g, '$1 1')} stale`);
    const spec = fc.record({
      forDuration: fc.constantFrom('0s', '1m', '2m', '5m'),
      keepFiringFor: fc.constantFrom(undefined, '1m', '3m'),
      threshold: fc.integer({ min: 2, max: 8 }),
      series: fc.array(values, { minLength: 1, maxLength: 3 }),
      evalMinutes: fc.uniqueArray(fc.integer({ min: 0, max: 26 }), { minLength: 1, maxLength: 6 }),
      templated: fc.boolean(),
    });
    const rulesFile = join(tmp.dir, 'generated.rules.yml');
    const testFile = join(tmp.dir, 'generated.test.yml');
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const rule: Record<string, unknown> = {
          alert: 'Gen',
          expr: `m > ${s.threshold}`,
          for: s.forDuration,
        };
        if (s.keepFiringFor !== undefined) rule.keep_firing_for = s.keepFiringFor;
        if (s.templated) rule.annotations = { v: '{{ $value }} on {{ $labels.i }}' };
        const recording = { record: 'm:max', expr: 'max(m)' };
        writeFileSync(rulesFile, stringify({ groups: [{ name: 'g', rules: [rule, recording] }] }));
        const test = {
          rule_files: ['generated.rules.yml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: s.series.map((v, i) => ({ series: `m{i="${i}"}`, values: v })),
              // No expectations: both tools then print every alert and sample they got, to compare.
              alert_rule_test: s.evalMinutes.map((m) => ({ eval_time: `${m}m`, alertname: 'Gen' })),
              promql_expr_test: s.evalMinutes.slice(0, 2).map((m) => ({ expr: 'm:max', eval_time: `${m}m` })),
            },
          ],
        };
        writeFileSync(testFile, stringify(test));
        const ref = spawnSync('sh', ['-c', `"${promtool.path}" test rules "${testFile}" 2>&1`], {
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(formatRuleTestReport(await runRuleTestFile(testFile))).toBe(ref.stdout);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it('has passing and deliberately failing fixtures', () => {
    expect(testFiles.length).toBeGreaterThanOrEqual(3);
    expect(testFiles.some((f) => f.includes('failing'))).toBe(true);
  });

  it.each(testFiles)('%s: same outcome and same failing checks as promtool', async (file) => {
    const path = join(fixtures, file);
    const ref = spawnSync(promtool.path!, ['test', 'rules', path], { encoding: 'utf8', timeout: 30_000 });
    const refOutput = `${ref.stdout}${ref.stderr}`;
    const ours = await runRuleTestFile(path);
    const ourOutput = ours.tests.flatMap((t) => t.errors).join('\n') + (ours.fileError ?? '');
    expect(ours.failed > 0, `promtool said:\n${refOutput}\nwe said:\n${ourOutput}`).toBe(ref.status !== 0);
    expect(failedChecks(ourOutput)).toEqual(failedChecks(refOutput));
    if (file.includes('failing')) expect(ours.failed).toBeGreaterThan(0);
    if (ours.fileError === undefined) {
      // The whole report, byte for byte (stdout and stderr interleaved as a terminal shows them).
      const merged = spawnSync('sh', ['-c', `"${promtool.path}" test rules "${path}" 2>&1`], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(formatRuleTestReport(ours)).toBe(merged.stdout);
    }
  });
});
