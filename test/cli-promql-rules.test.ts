/**
 * The verbs wired to other packages: `promql test` (the `@yardstick/promql` conformance runner) and
 * `rules check|convert` (`@yardstick/alert-evaluator`), with promtool as the judge of converted rules.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { peer, tempDir } from './support/peers.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'cli');
const promqlTestdata = join(import.meta.dirname, '..', 'packages', 'promql', 'testdata');

describe('yardstick promql test', () => {
  it("passes the promql package's own .test files and ends with the summary line", async () => {
    const files = readdirSync(promqlTestdata)
      .filter((f) => f.endsWith('.test'))
      .map((f) => join(promqlTestdata, f));
    const cli = captureCli();
    expect(await runCli(['promql', 'test', ...files], cli.io), cli.out()).toBe(0);
    expect(cli.out()).toMatch(/^\d+ passed, 0 failed, \d+ skipped\n$/m);
  });

  it('reports a failing eval with file:line and exits 1', async () => {
    const cli = captureCli();
    const file = join(fixtures, 'failing.test');
    expect(await runCli(['promql', 'test', file], cli.io)).toBe(1);
    expect(cli.out()).toContain(`${file}:7: FAILED demo_total`);
    expect(cli.out().trim().split('\n').at(-1)).toBe('1 passed, 1 failed, 0 skipped');
  });

  it('gives per-eval results with --json', async () => {
    const cli = captureCli();
    expect(await runCli(['promql', 'test', '--json', join(fixtures, 'failing.test')], cli.io)).toBe(1);
    const report = JSON.parse(cli.out().slice(0, cli.out().lastIndexOf('}') + 1)) as {
      files: { results: { line: number; status: string }[] }[];
    };
    expect(report.files[0]!.results.map((r) => [r.line, r.status])).toEqual([
      [4, 'passed'],
      [7, 'failed'],
    ]);
  });

  it('gives a reason for every skipped eval with --json, and the same totals on the closing line', async () => {
    const cli = captureCli();
    expect(await runCli(['promql', 'test', '--json', join(fixtures, 'skipped.test')], cli.io)).toBe(0);
    const text = cli.out();
    const report = JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as {
      files: { results: { line: number; status: string; skipReason?: string }[] }[];
      passed: number;
      failed: number;
      skipped: number;
    };
    expect(report.files[0]!.results.map((r) => [r.line, r.status, r.skipReason])).toEqual([
      [5, 'passed', undefined],
      [9, 'skipped', 'experimental function'],
      [13, 'skipped', 'experimental function'],
    ]);
    expect([report.passed, report.failed, report.skipped]).toEqual([1, 0, 2]);
    expect(text.trim().split('\n').at(-1)).toBe('1 passed, 0 failed, 2 skipped');
  });
});

describe('FILE arguments that do not exist', () => {
  it.each([
    [['promql', 'test'], 'promql test'],
    [['rules', 'check'], 'rules check'],
    [['rules', 'test'], 'rules test'],
    [['rules', 'convert'], 'rules convert'],
  ])('%j exits 2 (usage) with one line naming the file, before running anything', async (verb, name) => {
    const cli = captureCli();
    const missing = join(fixtures, 'no-such-file.yaml');
    const args =
      verb[1] === 'convert' ? [...verb, missing] : [...verb, join(fixtures, 'failing.test'), missing];
    if (verb[0] === 'rules' && verb[1] !== 'convert') args[2] = join(fixtures, 'rules-prometheus.yaml');
    expect(await runCli(args, cli.io)).toBe(2);
    expect(cli.err()).toBe(`yardstick: ${name}: ${missing}: no such file\n`);
    expect(cli.out()).toBe('');
  });
});

describe('yardstick rules', () => {
  const work = tempDir('yardstick-cli-rules-');
  afterAll(() => work.cleanup());

  it('accepts a valid Prometheus rule file', async () => {
    const cli = captureCli();
    expect(await runCli(['rules', 'check', join(fixtures, 'rules-prometheus.yaml')], cli.io), cli.out()).toBe(
      0,
    );
    expect(cli.out()).toMatch(/SUCCESS: 2 rules in 1 groups/);
  });

  it('reports problems with file:line and exits 1', async () => {
    const cli = captureCli();
    const file = join(fixtures, 'rules-broken.yaml');
    expect(await runCli(['rules', 'check', file], cli.io)).toBe(1);
    expect(cli.out()).toMatch(new RegExp(`^${file}:\\d+: `, 'm'));
  });

  it('runs promtool-format unit tests like promtool does, with the summary line', async () => {
    const passing = captureCli();
    expect(await runCli(['rules', 'test', join(fixtures, 'rules-prometheus.test.yaml')], passing.io)).toBe(0);
    expect(passing.out()).toContain('SUCCESS');
    expect(passing.out().trim().split('\n').at(-1)).toBe('1 passed, 0 failed, 0 skipped');
    const failing = captureCli();
    expect(await runCli(['rules', 'test', join(fixtures, 'rules-failing.test.yaml')], failing.io)).toBe(1);
    expect(failing.out()).toMatch(
      /FAILED:[\s\S]*exp: \{__name__="job:http_requests:rate5m", job="api"\} 3E\+00/,
    );
    expect(failing.out().trim().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });

  const promtool = peer('promtool');
  it.skipIf(promtool.skipReason !== undefined)('agrees with promtool test rules on the same files', () => {
    for (const [file, status] of [
      ['rules-prometheus.test.yaml', 0],
      ['rules-failing.test.yaml', 1],
    ] as const) {
      const result = spawnSync(promtool.path!, ['test', 'rules', join(fixtures, file)], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status, file).toBe(status);
    }
  });

  it.skipIf(promtool.skipReason !== undefined)(
    'converts a threshold file into a rule file that promtool accepts',
    async () => {
      const out = join(work.dir, 'converted.yaml');
      const cli = captureCli();
      expect(
        await runCli(
          ['rules', 'convert', join(fixtures, 'rules-threshold.yaml'), '--channel', 'oncall', '--out', out],
          cli.io,
        ),
      ).toBe(0);
      const result = spawnSync(promtool.path!, ['check', 'rules', out], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    },
  );
});
