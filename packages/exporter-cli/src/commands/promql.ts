/**
 * `yardstick promql test FILE...`: runs Prometheus `.test` files (the promql/promqltest format) with
 * `@yardstick/promql`'s runner and reports like the interface other tools rely on: a closing line
 * `N passed, N failed, N skipped`, exit 1 on any failure.
 */
import { readFile } from 'node:fs/promises';
import { runPromqlTestFile, type TestFileResult } from '@yardstick/promql';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';

/** `yardstick promql --help`. */
export const PROMQL_HELP = `Usage: yardstick promql test FILE... [--json] [--run-experimental] [--query-timeout SECONDS]

Runs Prometheus .test files (the format of Prometheus's promql/promqltest: load, eval instant/range, clear)
against yardstick's PromQL engine. Prints each failure with its file:line, then "N passed, N failed,
N skipped". Evals that need native histograms, experimental functions or feature-flagged syntax are skipped
with the reason. Exit codes: 0 all passed, 1 any failure, 2 bad usage.

  --json               print per-eval results: {"files": [{"file", "results": [...]}], "passed", "failed", "skipped"}
  --run-experimental   run evals of experimental functions instead of skipping them
  --query-timeout S    abort one query after S seconds (it then fails; default 10)

Examples:
  yardstick promql test packages/promql/testdata/*.test
  yardstick promql test --json aggregations.test
`;

const SPEC = {
  json: { type: 'boolean' },
  'run-experimental': { type: 'boolean' },
  'query-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const TestFlags = z.object({
  json: z.boolean().default(false),
  'run-experimental': z.boolean().default(false),
  'query-timeout': z.coerce.number().positive().default(10),
});

/** Runs `yardstick promql <sub-verb>`; returns the exit code. */
export async function promqlCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(PROMQL_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'test')
    throw new CliError('USAGE', `yardstick promql: unknown sub-verb "${sub}" (expected test)`);
  const { values, positionals } = parseFlags('promql test', rest, SPEC);
  if (values.help) {
    io.stdout.write(PROMQL_HELP);
    return 0;
  }
  const flags = validateFlags('promql test', TestFlags, values);
  if (positionals.length === 0)
    throw new CliError('USAGE', 'yardstick promql test: give at least one .test FILE');
  const files: { file: string; result: TestFileResult }[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError(
        'INPUT_READ',
        `promql test: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`,
        {
          cause: error,
        },
      );
    }
    const result = runPromqlTestFile(text, {
      runExperimental: flags['run-experimental'],
      queryTimeoutMs: flags['query-timeout'] * 1000,
    });
    files.push({ file, result });
  }
  const passed = files.reduce((n, f) => n + f.result.passed, 0);
  const failed = files.reduce((n, f) => n + f.result.failed, 0);
  const skipped = files.reduce((n, f) => n + f.result.skipped, 0);
  if (flags.json) {
    const report = {
      files: files.map((f) => ({ file: f.file, results: f.result.results })),
      passed,
      failed,
      skipped,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const { file, result } of files) {
      for (const r of result.results) {
        if (r.status !== 'failed') continue;
        io.stdout.write(`${file}:${r.line}: FAILED ${r.expr}\n  ${r.message ?? ''}\n`);
        if (r.expected !== undefined)
          io.stdout.write(`  expected:\n${indent(r.expected)}\n  got:\n${indent(r.got ?? '')}\n`);
      }
    }
  }
  io.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed > 0 ? 1 : 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
