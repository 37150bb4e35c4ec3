import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { captureIo } from './testing/capture-io.ts';
import { startFakePrometheus } from './testing/fake-prometheus.ts';

const base = ['export', '--source', 'http://127.0.0.1:1', '--metric', 'up', '--start', '-1d', '--end', 'now'];
const rest = ['--step', '5m', '--format', 'csv', '--out', '/tmp/never-written.csv'];

describe('runCli', () => {
  it('lists the verbs for --help and exits 0', async () => {
    const cli = captureIo();
    expect(await runCli(['--help'], cli.io)).toBe(0);
    expect(cli.out()).toMatch(/Usage: yardstick <verb>/);
    expect(cli.out()).toMatch(/export/);
  });

  it('prints export help with examples', async () => {
    const cli = captureIo();
    expect(await runCli(['export', '--help'], cli.io)).toBe(0);
    expect(cli.out()).toMatch(/Examples:\n {2}yardstick export --source/);
  });

  it.each(['export', 'lint', 'dashboard', 'scrape-config', 'promql', 'rules', 'alerts'])(
    'documents examples and exit codes in %s --help',
    async (verb) => {
      const cli = captureIo();
      expect(await runCli([verb, '--help'], cli.io)).toBe(0);
      expect(cli.out()).toMatch(/\nExamples:\n {2}yardstick /);
      expect(cli.out()).toMatch(/Exit codes: 0 .*, 1 .*, 2 /s);
    },
  );

  it('exits 2 with one line for an unknown verb or flag', async () => {
    const unknownVerb = captureIo();
    expect(await runCli(['exprot'], unknownVerb.io)).toBe(2);
    expect(unknownVerb.err()).toMatch(/^yardstick: unknown verb "exprot"/);
    const unknownFlag = captureIo();
    expect(await runCli([...base, ...rest, '--colour'], unknownFlag.io)).toBe(2);
    expect(unknownFlag.err()).toMatch(/^yardstick: yardstick export: Unknown option '--colour'/);
    expect(unknownFlag.err().trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--step', '0s'], /--step: must be greater than 0/],
    [['--step', 'fast'], /--step: "fast" is not a duration/],
    [['--timeout', '30d'], /--timeout: must be at most 1d/],
    [['--format', 'xlsx'], /--format: must be csv, json or parquet/],
    [['--start', 'yesterday'], /--start: "yesterday" is not a time/],
    [['--start', 'now', '--end', '-1h'], /--start .* must be before --end/],
    [['--filter', 'bad-label=x'], /--filter "bad-label=x": "bad-label" is not a valid label name/],
    [['--query', 'sum(up'], /--query "sum\(up": syntax error/],
    [['--concurrency', '0'], /--concurrency: /],
    [['--basic-auth', 'a:b', '--bearer-token', 't'], /use either --basic-auth or --bearer-token/],
  ])('exits 2 naming the flag for %j', async (extra, message) => {
    const cli = captureIo();
    const args = [...base, ...rest];
    for (let i = 0; i < extra.length; i += 2) {
      const at = args.indexOf(extra[i]!);
      if (at >= 0 && extra[i] !== '--filter' && extra[i] !== '--query') args.splice(at, 2);
      args.push(extra[i]!, extra[i + 1]!);
    }
    expect(await runCli(args, cli.io)).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with one line when the source is unreachable', async () => {
    const cli = captureIo();
    const args = [...base, ...rest, '--timeout', '3s'];
    args[args.indexOf('--out') + 1] = '/nonexistent-dir/x.csv';
    expect(await runCli(args, cli.io)).toBe(1);
    expect(cli.err().trim().split('\n')).toHaveLength(1);
  });

  it('takes credentials from YARDSTICK_SOURCE_* and keeps them out of the file, the audit log and stderr', async () => {
    const fake = await startFakePrometheus([{ __name__: 'up', job: 'a' }]);
    const dir = mkdtempSync(join(tmpdir(), 'yardstick-cli-auth-'));
    try {
      const out = join(dir, 'x.json');
      const audit = join(dir, 'audit.jsonl');
      const args = ['export', '--source', fake.url, '--metric', 'up', '--start', '-1h', '--end', 'now'];
      args.push('--step', '5m', '--format', 'json', '--out', out, '--audit-log', audit);
      const cli = captureIo();
      const env = { YARDSTICK_SOURCE_BEARER_TOKEN: 'sekret-token' };
      expect(await runCli(args, { ...cli.io, env })).toBe(0);
      expect(fake.authorizations.at(-1)).toBe('Bearer sekret-token');
      for (const text of [readFileSync(out, 'utf8'), readFileSync(audit, 'utf8'), cli.err()]) {
        expect(text).not.toContain('sekret');
      }
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const fake = await startFakePrometheus([{ __name__: 'up', job: 'a' }]);
    const dir = mkdtempSync(join(tmpdir(), 'yardstick-cli-progress-'));
    try {
      const args = ['export', '--source', fake.url, '--metric', 'up', '--start', '-1h', '--end', 'now'];
      args.push('--step', '1m', '--format', 'csv', '--max-points', '20', '--out', join(dir, 'x.csv'));
      const piped = captureIo();
      expect(await runCli(args, piped.io)).toBe(0);
      expect(piped.err()).not.toContain('\r');
      const tty = captureIo({ stderrIsTTY: true });
      expect(await runCli(args, tty.io)).toBe(0);
      expect(tty.err()).toContain('] 100% 4/4 chunks');
      expect(piped.err()).toMatch(/^exported 61 points in 4 chunks/);
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
