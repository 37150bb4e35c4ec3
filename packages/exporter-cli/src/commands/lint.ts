/**
 * `yardstick lint [URL|FILE|-]`: checks a metrics exposition for naming, unit, type, label and cardinality
 * problems.
 */
import { z } from 'zod';
import { type FlagSpec, parseFlags, validateFlags } from '../cli-args.ts';
import type { CliIo } from '../cli-io.ts';
import { CliError } from '../errors.ts';
import { readInputFile } from '../input-files.ts';
import { parseExposition } from '../lint/exposition-parser.ts';
import { type LintFinding, lintExposition } from '../lint/lint-rules.ts';

/** `yardstick lint --help`. */
export const LINT_HELP = `Usage: yardstick lint [URL|FILE|-] [--json] [--max-label-values N] [--prefix P]...

Checks a Prometheus text exposition (0.0.4) or OpenMetrics text for problems:
  errors    unparseable lines, invalid or reserved label names, _total on a non-counter,
            duplicate series, TYPE declared twice, histogram buckets without le or without le="+Inf",
            an OpenMetrics UNIT that is not the name's suffix
  warnings  names not in snake_case or without a --prefix, non-base units (_milliseconds,
            _kilobytes, _percent), counters without _total, missing HELP/TYPE, id-like label values
            (UUIDs, IPs, ids in paths), labels with more than N distinct values
Reads standard input when the argument is - or missing. Exit codes: 0 no errors, 1 errors found, 2 bad usage.

  --json                  print {"findings": [...], "errors": N, "warnings": N}
  --max-label-values N    distinct values per label before a warning (default 100)
  --prefix P              application prefix every name must start with (repeatable)
  --timeout D             for a URL: seconds to wait (default 10)

Examples:
  yardstick lint http://127.0.0.1:9464/metrics
  curl -s localhost:9464/metrics | yardstick lint -
  curl -s localhost:9464/metrics > metrics.txt && yardstick lint --json metrics.txt
  yardstick lint --prefix checkout --prefix http http://127.0.0.1:9464/metrics
`;

const SPEC = {
  json: { type: 'boolean' },
  'max-label-values': { type: 'string' },
  prefix: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies FlagSpec;

const LintFlags = z.object({
  json: z.boolean().default(false),
  'max-label-values': z.coerce.number().int().min(1).default(100),
  prefix: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a metric name prefix')).default([]),
  timeout: z.coerce.number().positive().default(10),
});

async function readInput(
  source: string,
  io: CliIo,
  timeoutSeconds: number,
): Promise<{ text: string; contentType: string }> {
  if (source === '-') {
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of io.stdin)
      text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    return { text, contentType: '' };
  }
  if (/^https?:\/\//.test(source)) {
    try {
      const response = await fetch(source, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return { text: await response.text(), contentType: response.headers.get('content-type') ?? '' };
    } catch (error) {
      throw new CliError('INPUT_READ', `lint: cannot fetch ${source}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return { text: await readInputFile('lint', source), contentType: '' };
}

/** One finding as a text line: `source:line: severity [rule] metric: message`. */
export function formatFinding(source: string, finding: LintFinding): string {
  const metric = finding.metric ? `${finding.metric}: ` : '';
  return `${source}:${finding.line}: ${finding.severity} [${finding.rule}] ${metric}${finding.message}`;
}

/** Runs `yardstick lint`; returns the exit code. */
export async function lintCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('lint', argv, SPEC);
  if (values.help) {
    io.stdout.write(LINT_HELP);
    return 0;
  }
  const flags = validateFlags('lint', LintFlags, values);
  if (positionals.length > 1) throw new CliError('USAGE', 'yardstick lint: give one URL, FILE or -');
  const source = positionals[0] ?? '-';
  const { text, contentType } = await readInput(source, io, flags.timeout);
  const findings = lintExposition(parseExposition(text, contentType), {
    maxLabelValues: flags['max-label-values'],
    prefixes: flags.prefix,
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ findings, errors, warnings }, null, 2)}\n`);
  } else {
    const name = source === '-' ? '<stdin>' : source;
    for (const finding of findings) io.stdout.write(`${formatFinding(name, finding)}\n`);
    io.stdout.write(`${errors} errors, ${warnings} warnings\n`);
  }
  return errors > 0 ? 1 : 0;
}
