/**
 * Runs `yardstick` verbs in-process for the top-level CLI tests: an injected `CliIo` that records what a verb
 * prints, so a test asserts on the exact lines a user would see.
 */
import type { CliIo } from '@yardstick/exporter-cli';

/** A recording `CliIo` and what the verb printed so far. */
export interface CapturedCli {
  readonly io: CliIo;
  /** Everything written to stdout. */
  out(): string;
  /** Everything written to stderr. */
  err(): string;
}

/** How the captured world looks to the verb. */
export interface CaptureOptions {
  /** Standard input, for `lint -` (default empty). */
  readonly stdin?: string;
  /** A fixed clock in Unix ms, for relative times such as `-90d` (default the real clock). */
  readonly now?: number;
  /** Environment (default empty, so the developer's `YARDSTICK_SOURCE_*` never leaks into a test). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Makes stderr look like a terminal, which turns the export progress bar on. */
  readonly stderrIsTTY?: boolean;
  /** Aborts long-running verbs, as SIGINT/SIGTERM do in the real process. */
  readonly signal?: AbortSignal;
}

/** Creates a recording `CliIo`; see {@link CaptureOptions}. */
export function captureCli(options: CaptureOptions = {}): CapturedCli {
  let out = '';
  let err = '';
  const { now } = options;
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text), isTTY: options.stderrIsTTY ?? false },
      stdin: options.stdin === undefined ? [] : [options.stdin],
      env: options.env ?? {},
      signal: options.signal,
      now: now === undefined ? Date.now : () => now,
    },
    out: () => out,
    err: () => err,
  };
}
