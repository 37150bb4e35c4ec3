import { YardstickError } from '../errors.ts';

/** Where a configuration value came from, so a problem can point at it. */
export type ConfigSource =
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly kind: 'env'; readonly variable: string }
  | { readonly kind: 'code' }
  | { readonly kind: 'default' };

/** One thing wrong with a configuration: the setting (or environment variable) at fault and why. */
export interface ConfigProblem {
  /** The setting as a path (`server.auth.password`, `histogramBuckets[2]`) or an environment variable name. */
  readonly path: string;
  /** What is wrong, without the offending value when that value may be a secret. */
  readonly message: string;
  /** Where the value came from. */
  readonly source: ConfigSource;
}

/** The codes a {@link ConfigError} can carry: the file could not be read or parsed, or the values are wrong. */
export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_FILE';

/**
 * Configuration that cannot be used. The message lists every problem on its own line, as
 * `file:line:col: path: message` for values from a config file and `path: message` otherwise;
 * {@link ConfigError.problems} holds the same list for programs. A `ZodError`, when there is one, is the `cause`.
 *
 * @example
 * ```ts
 * try { loadConfig(); } catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 * ```
 */
export class ConfigError extends YardstickError {
  /** `CONFIG_FILE` when the file itself is unreadable or not valid YAML/JSON, `CONFIG_INVALID` otherwise. */
  declare readonly code: ConfigErrorCode;
  /** Every problem found, in the order they are listed in the message. */
  readonly problems: readonly ConfigProblem[];

  /**
   * @param code - the kind of failure
   * @param problems - every problem found; the message is built from them
   * @param options - the standard `cause`
   */
  constructor(code: ConfigErrorCode, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(code, formatProblems(problems), options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Renders problems as the lines of a {@link ConfigError} message. */
function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map(formatProblem);
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return `invalid yardstick configuration (${problems.length} ${noun}):\n${lines.join('\n')}`;
}

function formatProblem(problem: ConfigProblem): string {
  const { source } = problem;
  const where = problem.path === '' ? '' : `${problem.path}: `;
  switch (source.kind) {
    case 'file':
      return `${source.file}:${source.line}:${source.column}: ${where}${problem.message}`;
    case 'env':
      // An env parse problem already names the variable as its path; a schema problem names the setting.
      return problem.path === source.variable
        ? `${where}${problem.message}`
        : `${where}${problem.message} (from environment variable ${source.variable})`;
    case 'code':
    case 'default':
      return `${where}${problem.message}`;
  }
}
