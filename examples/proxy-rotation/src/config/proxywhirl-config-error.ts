/**
 * The error of `.proxywhirl.toml` loading: every problem on its own line as `file:line: field: message`, so a
 * user sees where to look without a stack trace. Values are never repeated in a message (a password could be
 * one of them).
 */

/** One thing wrong with the file. */
export interface ConfigFileProblem {
  readonly file: string;
  /** 1-based line, when the field (or the syntax error) could be placed. */
  readonly line: number | undefined;
  /** The field as `metrics.exposition_port` or `metrics.histogram_buckets[2]`; empty for file-level problems. */
  readonly field: string;
  readonly message: string;
}

/** `CONFIG_FILE`: unreadable, too large or not TOML; `CONFIG_INVALID`: TOML, but a value breaks a rule. */
export type ProxyWhirlConfigErrorCode = 'CONFIG_FILE' | 'CONFIG_INVALID';

/** `.proxywhirl.toml` that cannot be used. */
export class ProxyWhirlConfigError extends Error {
  readonly code: ProxyWhirlConfigErrorCode;
  readonly problems: readonly ConfigFileProblem[];

  constructor(
    code: ProxyWhirlConfigErrorCode,
    problems: readonly ConfigFileProblem[],
    options?: { cause?: unknown },
  ) {
    super(problems.map(formatProblem).join('\n'), options);
    this.name = 'ProxyWhirlConfigError';
    this.code = code;
    this.problems = problems;
  }
}

function formatProblem(problem: ConfigFileProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.field === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.field}: ${problem.message}`;
}
