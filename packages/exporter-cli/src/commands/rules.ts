/**
 * `yardstick rules check|test|convert`: validates rule files (Prometheus format or yardstick's threshold
 * form), runs promtool-format rule unit tests, and converts threshold files to Prometheus rule files, all
 * with `@yardstick/alert-evaluator`.
 */
import { writeFileSync } from 'node:fs';
import {
  checkRuleFile,
  convertThresholdRules,
  formatRuleFileProblem,
  formatRuleTestReport,
  runRuleTestFiles,
} from '@yardstick/alert-evaluator';
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { requireInputFiles } from '../input-files.ts';

/** `yardstick rules --help`. */
export const RULES_HELP = `Usage: yardstick rules check FILE... [--json] [--channel NAME]...
       yardstick rules test FILE... [--json]
       yardstick rules convert FILE [--out FILE] [--channel NAME]...

  check     validates rule files (Prometheus rule groups, or the threshold form with a top-level "alerts:"):
            YAML, durations, label and annotation names, templates and PromQL. Prints file:line messages;
            exit 1 on any problem. Threshold rules may only name the notification channels given with
            --channel (the ones your config defines).
  test      runs rule unit tests in promtool's format (rule_files, evaluation_interval, tests with
            input_series, alert_rule_test, promql_expr_test); prints promtool-style reports and a closing
            line "N passed, N failed, N skipped"; exit 1 on any failure.
  convert   writes a threshold-form file as a Prometheus rule file (stdout, or --out), printing what the
            Prometheus form cannot express as warnings on stderr.

Exit codes: 0 valid / all tests passed, 1 problems found or tests failed, 2 bad usage (a FILE that does
not exist, an unknown flag).

Examples:
  yardstick rules check examples/*/rules/*.rules.yml
  yardstick rules test examples/*/rules/*.rules.test.yml
  yardstick rules convert examples/proxy-rotation/rules/proxies.thresholds.yml --channel oncall --out prometheus-rules.yaml
`;

const CHANNEL = { type: 'string', multiple: true } as const;
const CHECK_SPEC = {
  json: { type: 'boolean' },
  channel: CHANNEL,
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;
const CONVERT_SPEC = {
  out: { type: 'string' },
  channel: CHANNEL,
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;
const channels = z.array(z.string().min(1)).default([]);

async function check(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('rules check', argv, CHECK_SPEC);
  if (values.help) {
    io.stdout.write(RULES_HELP);
    return 0;
  }
  const flags = validateFlags(
    'rules check',
    z.object({ json: z.boolean().default(false), channel: channels }),
    values,
  );
  if (positionals.length === 0)
    throw new CliError('USAGE', 'yardstick rules check: give at least one rule FILE');
  await requireInputFiles('rules check', positionals);
  const checks = await Promise.all(
    positionals.map((file) => checkRuleFile(file, { channels: flags.channel })),
  );
  const problems = checks.flatMap((c) => c.problems);
  const warnings = checks.flatMap((c) => c.warnings);
  if (flags.json) {
    const files = checks.map((c) => ({
      file: c.file,
      format: c.format,
      groups: c.groups.length,
      rules: c.groups.reduce((n, g) => n + g.rules.length, 0),
      problems: c.problems,
      warnings: c.warnings,
    }));
    io.stdout.write(
      `${JSON.stringify({ files, problems: problems.length, warnings: warnings.length }, null, 2)}\n`,
    );
  } else {
    for (const p of problems) io.stdout.write(`${formatRuleFileProblem(p)}\n`);
    for (const w of warnings) io.stdout.write(`warning: ${formatRuleFileProblem(w)}\n`);
    for (const c of checks) {
      if (c.problems.length === 0) {
        const rules = c.groups.reduce((n, g) => n + g.rules.length, 0);
        io.stdout.write(
          `${c.file}: SUCCESS: ${rules} rules in ${c.groups.length} groups (${c.format} form)\n`,
        );
      }
    }
  }
  return problems.length > 0 ? 1 : 0;
}

const TEST_SPEC = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } satisfies FlagSpec;

async function test(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('rules test', argv, TEST_SPEC);
  if (values.help) {
    io.stdout.write(RULES_HELP);
    return 0;
  }
  const flags = validateFlags('rules test', z.object({ json: z.boolean().default(false) }), values);
  if (positionals.length === 0)
    throw new CliError('USAGE', 'yardstick rules test: give at least one test FILE');
  await requireInputFiles('rules test', positionals);
  const run = await runRuleTestFiles(positionals);
  if (flags.json) {
    const report = { files: run.files, passed: run.passed, failed: run.failed, skipped: run.skipped };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const file of run.files) io.stdout.write(formatRuleTestReport(file));
  }
  io.stdout.write(`${run.summary}\n`);
  return run.failed > 0 ? 1 : 0;
}

async function convert(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('rules convert', argv, CONVERT_SPEC);
  if (values.help) {
    io.stdout.write(RULES_HELP);
    return 0;
  }
  const flags = validateFlags(
    'rules convert',
    z.object({ out: z.string().min(1).optional(), channel: channels }),
    values,
  );
  if (positionals.length !== 1)
    throw new CliError('USAGE', 'yardstick rules convert: give exactly one threshold FILE');
  await requireInputFiles('rules convert', positionals);
  const checked = await checkRuleFile(positionals[0]!, { channels: flags.channel });
  if (checked.problems.length > 0) {
    for (const p of checked.problems) io.stdout.write(`${formatRuleFileProblem(p)}\n`);
    return 1;
  }
  if (checked.threshold === undefined) {
    throw new CliError('USAGE', `yardstick rules convert: ${checked.file} is already in Prometheus form`);
  }
  const conversion = convertThresholdRules(checked.threshold);
  for (const warning of conversion.warnings) io.stderr.write(`warning: ${warning}\n`);
  if (flags.out) {
    try {
      writeFileSync(flags.out, conversion.yaml);
    } catch (error) {
      throw new CliError('OUTPUT_WRITE', `--out ${flags.out}: ${(error as Error).message}`, { cause: error });
    }
  } else {
    io.stdout.write(conversion.yaml);
  }
  return 0;
}

/** Runs `yardstick rules <sub-verb>`; returns the exit code. */
export async function rulesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout.write(RULES_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'check') return check(rest, io);
  if (sub === 'test') return test(rest, io);
  if (sub === 'convert') return convert(rest, io);
  throw new CliError('USAGE', `yardstick rules: unknown sub-verb "${sub}" (expected check, test or convert)`);
}
