/**
 * The package's tests run verbs in-process with this recording `CliIo` (the top-level tests have their own in
 * test/support/cli-io.ts, which imports the package by name).
 */
import type { CliIo } from '../cli-io.ts';

/** A recording `CliIo` and what the verb printed so far. */
export interface CapturedIo {
  readonly io: CliIo;
  out(): string;
  err(): string;
}

/** Creates a recording `CliIo` with a fixed clock; `stderrIsTTY` turns the export progress bar on. */
export function captureIo(options: { now?: number; stderrIsTTY?: boolean } = {}): CapturedIo {
  let out = '';
  let err = '';
  const now = options.now ?? Date.parse('2026-03-01T00:00:00Z');
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text), isTTY: options.stderrIsTTY ?? false },
      stdin: [],
      env: {},
      now: () => now,
    },
    out: () => out,
    err: () => err,
  };
}
