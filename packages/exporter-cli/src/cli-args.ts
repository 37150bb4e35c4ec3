/**
 * Flag parsing shared by the verbs: `node:util` parseArgs for syntax, zod for meaning, and both kinds of
 * mistakes turned into one line that names the flag.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { CliError } from './errors.ts';

/** The `options` part of a parseArgs config. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags and positionals of one verb. */
export interface ParsedFlags {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/**
 * parseArgs reads `--start -90d` as two options; relative times are negative by nature, so a string flag
 * followed by `-<digit>` takes it as its value (`--start=-90d`).
 */
function joinNegativeValues(argv: readonly string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const option = arg.startsWith('--') ? spec[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parses `argv` against `spec` (strict: unknown flags are errors).
 * @throws CliError `USAGE` with parseArgs's own one-line explanation, prefixed by the verb
 */
export function parseFlags(verb: string, argv: readonly string[], spec: FlagSpec): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(argv, spec),
      options: spec,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw new CliError('USAGE', `yardstick ${verb}: ${message} (see yardstick ${verb} --help)`, {
      cause: error,
    });
  }
}

/**
 * Validates parsed flags with a zod schema; the first issue becomes one line naming the flag.
 * @throws CliError `USAGE` with the `ZodError` as cause
 */
export function validateFlags<T extends z.ZodType>(verb: string, schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const flag = issue.path.length > 0 ? `--${String(issue.path[0])}` : verb;
  throw new CliError('USAGE', `yardstick ${verb}: ${flag}: ${issue.message}`, { cause: result.error });
}
