/**
 * The example's alert rules and their promtool-format unit tests pass under both runners: Prometheus's
 * promtool (a real peer) and yardstick's `rules test`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { peer } from '../../../test/support/peers.ts';

const rules = fileURLToPath(new URL('../rules/jobs.rules.yml', import.meta.url));
const ruleTests = fileURLToPath(new URL('../rules/jobs.rules.test.yml', import.meta.url));
const cli = fileURLToPath(new URL('../../../packages/exporter-cli/src/main.ts', import.meta.url));
const promtool = peer('promtool');

function run(command: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('job orchestrator alert rules', () => {
  it('pass yardstick rules check and rules test', () => {
    const check = run(process.execPath, ['--conditions=yardstick-source', cli, 'rules', 'check', rules]);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toContain('SUCCESS: 6 rules in 1 groups');
    const test = run(process.execPath, ['--conditions=yardstick-source', cli, 'rules', 'test', ruleTests]);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toMatch(/^6 passed, 0 failed, 0 skipped$/m);
  });

  it.skipIf(promtool.skipReason !== undefined)('pass promtool check rules and test rules', () => {
    const check = run(promtool.path!, ['check', 'rules', rules]);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toContain('SUCCESS: 6 rules found');
    const test = run(promtool.path!, ['test', 'rules', ruleTests]);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toContain('SUCCESS');
  });
});
