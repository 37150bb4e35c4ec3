import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../packages/exporter-cli/src/main.ts', import.meta.url));
const RULES = fileURLToPath(new URL('../rules/gateway.rules.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../rules/gateway.rules.test.yml', import.meta.url));

function yardstick(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=yardstick-source', CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('the gateway alert rules', () => {
  it('pass `yardstick rules check`', () => {
    const run = yardstick('rules', 'check', RULES);
    expect(run.stderr + run.stdout).not.toMatch(/error/i);
    expect(run.status).toBe(0);
  });

  it('pass their promtool-format unit tests with `yardstick rules test`', () => {
    const run = yardstick('rules', 'test', RULE_TESTS);
    expect(run.stdout).toContain('3 passed, 0 failed, 0 skipped');
    expect(run.status).toBe(0);
  });
});
