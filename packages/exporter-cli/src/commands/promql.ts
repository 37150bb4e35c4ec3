/**
 * `yardstick promql test FILE...`: runs Prometheus `.test` files (the promql/promqltest format) with
 * `@yardstick/promql`'s runner and reports like the interface other tools rely on: a closing line
 * `N passed, N failed, N skipped`, exit 1 on any failure. `yardstick promql query EXPR`: one instant query
 * on a Prometheus-compatible API.
 */
import { runPromqlTestFile, type TestFileResult } from '@yardstick/promql';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { findSyntaxError } from '../export/filter-rewrite.ts';
import { createSourceClient, type SourceAuth } from '../export/source-client.ts';
import { parseTime } from '../export/time.ts';
import { readInputFile } from '../input-files.ts';

/** `yardstick promql --help`. */
export const PROMQL_HELP = `Usage: yardstick promql test FILE... [--json] [--run-experimental] [--query-timeout SECONDS]
       yardstick promql query EXPR --source URL [--time T] [--json]

test:
Runs Prometheus .test files (the format of Prometheus's promql/promqltest: load, eval instant/range, clear)
against yardstick's PromQL engine. Prints each failure with its file:line, then "N passed, N failed,
N skipped". Evals that need native histograms, experimental functions or feature-flagged syntax are skipped
with the reason. Exit codes: 0 all passed, 1 any failure, 2 bad usage.

  --json               print per-eval results: {"files": [{"file", "results": [...]}], "passed", "failed", "skipped"}
  --run-experimental   run evals of experimental functions instead of skipping them
  --query-timeout S    abort one query after S seconds (it then fails; default 10)

query: evaluates EXPR at one instant on a Prometheus-compatible API (Prometheus, VictoriaMetrics, or
yardstick's embedded /api/v1) and prints one line per series: {labels} value. The syntax is checked
locally first. Credentials as for export (--basic-auth, --bearer-token, YARDSTICK_SOURCE_*).
  --source URL   the API's base URL
  --time T       evaluation time: RFC 3339, Unix seconds, now, -1h (default now)
  --json         print the answer's data as JSON

Examples:
  yardstick promql query 'sum by (job) (up)' --source http://127.0.0.1:9464
  yardstick promql test packages/promql/testdata/*.test
  yardstick promql test --json packages/promql/testdata/aggregation-and-matching.test
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
  if (sub === 'query') return queryCommand(rest, io);
  if (sub !== 'test') {
    throw new CliError('USAGE', `yardstick promql: unknown sub-verb "${sub}" (expected test or query)`);
  }
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
    const text = await readInputFile('promql test', file);
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

const QUERY_SPEC = {
  source: { type: 'string' },
  time: { type: 'string' },
  json: { type: 'boolean' },
  'basic-auth': { type: 'string' },
  'bearer-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const QueryFlags = z.object({
  source: z.url({ protocol: /^https?$/, error: 'required: an http(s) URL of the Prometheus API' }),
  time: z.string().default('now'),
  json: z.boolean().default(false),
  'basic-auth': z
    .string()
    .regex(/^[^:]+:/, 'must be user:password')
    .optional(),
  'bearer-token': z.string().min(1).optional(),
});

/** `{a="1", b="2"}` as Prometheus prints label sets. */
function formatLabels(labels: Readonly<Record<string, string>>): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `${name}{${pairs.join(', ')}}`;
}

async function queryCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('promql query', argv, QUERY_SPEC);
  if (values.help) {
    io.stdout.write(PROMQL_HELP);
    return 0;
  }
  const flags = validateFlags('promql query', QueryFlags, values);
  if (positionals.length !== 1) throw new CliError('USAGE', 'yardstick promql query: give exactly one EXPR');
  const query = positionals[0]!;
  const syntaxError = findSyntaxError(query);
  if (syntaxError)
    throw new CliError('INVALID_QUERY', `promql query ${JSON.stringify(query)}: ${syntaxError}`);
  const time = parseTime(flags.time, '--time', io.now());
  const basic = flags['basic-auth'] ?? io.env.YARDSTICK_SOURCE_BASIC_AUTH;
  const bearer = flags['bearer-token'] ?? io.env.YARDSTICK_SOURCE_BEARER_TOKEN;
  const colon = basic?.indexOf(':') ?? -1;
  const auth: SourceAuth | undefined = bearer
    ? { kind: 'bearer', token: bearer }
    : basic && colon > 0
      ? { kind: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) }
      : undefined;
  const signals = [AbortSignal.timeout(60_000), ...(io.signal ? [io.signal] : [])];
  const client = createSourceClient({ baseUrl: flags.source, auth, signal: AbortSignal.any(signals) });
  const data = await client.queryInstant(query, time);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }
  if (data.resultType === 'vector') {
    for (const sample of data.result) io.stdout.write(`${formatLabels(sample.metric)} ${sample.value[1]}\n`);
  } else if (data.resultType === 'matrix') {
    for (const series of data.result) {
      const points = series.values.map(([t, v]) => `${v} @${t}`).join(', ');
      io.stdout.write(`${formatLabels(series.metric)} [${points}]\n`);
    }
  } else {
    io.stdout.write(`${data.result[1]}\n`);
  }
  return 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
