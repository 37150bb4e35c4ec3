/**
 * The same promtool unit-test files run by `promtool test rules` (Prometheus 2.42) and by
 * `runRuleTestFile`: both must pass or fail the same files, on the same alert checks and expressions, and
 * print the same report (unless the rule files themselves do not load, where only the wording differs).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatRuleTestReport, runRuleTestFile } from '@yardstick/alert-evaluator';
import { describe, expect, it } from 'vitest';
import { peer } from './support/peers.ts';

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
