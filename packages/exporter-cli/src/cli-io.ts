/**
 * The CLI's connection to the outside world, injected so tests run verbs in-process and read what they print.
 */

/** Where a verb writes, reads and looks things up. */
export interface CliIo {
  /** Results (data, reports). */
  readonly stdout: { write(text: string): unknown };
  /** Messages, errors and the progress bar (`isTTY` turns the bar on). */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Standard input, for `lint -`. */
  readonly stdin: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  /** Environment (`YARDSTICK_SOURCE_*` credentials). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts long-running verbs (SIGINT/SIGTERM in the real process). */
  readonly signal?: AbortSignal | undefined;
  /** The current time in Unix ms, for relative times such as `-90d`. */
  readonly now: () => number;
}
