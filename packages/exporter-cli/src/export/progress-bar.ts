/**
 * A one-line progress bar for interactive exports; only used when stderr is a TTY, so logs and pipes stay clean.
 */

/** Redraws the bar on each update; `done` clears the line. */
export interface ProgressBar {
  readonly update: (written: number, total: number) => void;
  readonly done: () => void;
}

const WIDTH = 30;

/** Creates a {@link ProgressBar} drawing on `stream` with carriage returns. */
export function createProgressBar(stream: { write(text: string): unknown }): ProgressBar {
  return {
    update(written, total) {
      const filled = Math.round((written / total) * WIDTH);
      const percent = Math.floor((written / total) * 100);
      stream.write(
        `\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${percent}% ${written}/${total} chunks`,
      );
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}
