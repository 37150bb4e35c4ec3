/**
 * The example's rule files stay valid: the unit tests pass under yardstick's `rules test` and, when
 * installed, promtool 2.42; the Prometheus file passes `promtool check rules`; the threshold-form rule
 * converts into a file promtool accepts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { peer, tempDir } from '../../../test/support/peers.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const rulesDir = fileURLToPath(new URL('../rules/', import.meta.url));
const cli = ['--conditions=yardstick-source', join(repoRoot, 'packages/exporter-cli/src/main.ts')];
const promtool = peer('promtool');

describe('the proxy alert rules', () => {
  it('pass their unit tests under yardstick rules test', async () => {
    const { stdout } = await run(process.execPath, [...cli, 'rules', 'test', 'proxies.rules.test.yml'], {
      cwd: rulesDir,
      timeout: 20_000,
    });
    expect(stdout).toContain('2 passed, 0 failed, 0 skipped');
  });

  describe.skipIf(promtool.skipReason !== undefined)('with promtool', () => {
    it('pass the same unit tests and the rule check under promtool', async () => {
      const tests = await run(promtool.path!, ['test', 'rules', 'proxies.rules.test.yml'], { cwd: rulesDir });
      expect(tests.stdout).toContain('SUCCESS');
      const check = await run(promtool.path!, ['check', 'rules', 'proxies.rules.yml'], { cwd: rulesDir });
      expect(check.stdout).toContain('SUCCESS: 4 rules found');
    });

    it('convert the threshold-form rule into a file promtool accepts', async () => {
      const tmp = tempDir('yardstick-proxy-rules-');
      try {
        const out = join(tmp.dir, 'thresholds.yml');
        const args = ['rules', 'convert', join(rulesDir, 'proxies.thresholds.yml'), '--channel', 'oncall'];
        await run(process.execPath, [...cli, ...args, '--out', out], { cwd: repoRoot, timeout: 20_000 });
        const check = await run(promtool.path!, ['check', 'rules', out]);
        expect(check.stdout).toContain('SUCCESS: 1 rules found');
      } finally {
        tmp.cleanup();
      }
    });
  });
});
