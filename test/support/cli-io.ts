/**
 * Runs `yardstick` verbs for the top-level CLI tests: in-process with an injected `CliIo` that records what a
 * verb prints, so a test asserts on the exact lines a user would see; or as the real process, for signals.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
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

/** The `yardstick` CLI running as a child process. */
export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (`null` when killed by a signal it did not handle). */
  readonly exited: Promise<number | null>;
}

const CLI_MAIN = join(import.meta.dirname, '..', '..', 'packages', 'exporter-cli', 'src', 'main.ts');

/** Starts `yardstick <args>` from source as its own process (with real SIGINT/SIGTERM handling). */
export function spawnCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, ['--conditions=yardstick-source', CLI_MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}
