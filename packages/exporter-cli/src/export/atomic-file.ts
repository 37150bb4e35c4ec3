/**
 * Atomic output: everything is written to a temp file (mode 0600) in the target's folder and renamed onto the
 * target only on success, so a failed, timed-out or interrupted export never leaves a partial file at `--out`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../errors.ts';

// Speed: rows are batched into ~1 MiB writes, so a million-point export makes ~100 syscalls instead of a
// million, while memory stays flat however long the export runs.
const FLUSH_BYTES = 1 << 20;

/** A temp file that becomes `target` on {@link AtomicFile.commit} and disappears on {@link AtomicFile.discard}. */
export class AtomicFile {
  /** The final path. */
  readonly target: string;
  /** The temp path the data goes to until commit. */
  readonly tempPath: string;
  #fd: number | undefined;
  #pending: string[] = [];
  #pendingChars = 0;
  #written = 0;

  /**
   * Creates the temp file next to `target` with mode 0600 (exclusive create, so a stale temp is never reused).
   * @throws CliError `OUTPUT_WRITE` when the folder is missing or not writable
   */
  constructor(target: string) {
    this.target = target;
    this.tempPath = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      this.#fd = openSync(this.tempPath, 'wx', 0o600);
    } catch (error) {
      throw new CliError(
        'OUTPUT_WRITE',
        `--out ${target}: cannot create a file in ${dirname(target)}: ${
          (error as NodeJS.ErrnoException).code ?? (error as Error).message
        }`,
        { cause: error },
      );
    }
  }

  /** Bytes handed to the file so far (buffered or written). */
  get size(): number {
    return this.#written + this.#pendingChars;
  }

  /**
   * Appends text. The size is counted in UTF-16 units until flushed, so callers needing exact byte offsets
   * call {@link AtomicFile.flush} first.
   */
  writeText(text: string): void {
    this.#pending.push(text);
    this.#pendingChars += text.length;
    if (this.#pendingChars >= FLUSH_BYTES) this.flush();
  }

  /** Appends bytes after any buffered text. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.#writeAll(bytes);
  }

  /** Writes buffered text to the file. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#pendingChars = 0;
    this.#writeAll(bytes);
  }

  /** Overwrites bytes at `position` (already written) with `text`, e.g. a header field known only at the end. */
  patch(position: number, text: string): void {
    this.flush();
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.#requireFd(), bytes, 0, bytes.length, position);
  }

  /** Flushes, syncs and renames the temp file onto the target. Returns the file size in bytes. */
  commit(): number {
    this.flush();
    const fd = this.#requireFd();
    try {
      fsyncSync(fd);
      closeSync(fd);
      this.#fd = undefined;
      renameSync(this.tempPath, this.target);
    } catch (error) {
      this.discard();
      throw new CliError(
        'OUTPUT_WRITE',
        `--out ${this.target}: cannot finish the file: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return this.#written;
  }

  /** Closes and removes the temp file; safe to call more than once and after a commit. */
  discard(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch {
        // already closed by the OS; the unlink below is what matters
      }
      this.#fd = undefined;
      try {
        unlinkSync(this.tempPath);
      } catch {
        // never created or already removed
      }
    }
  }

  #writeAll(bytes: Uint8Array): void {
    const fd = this.#requireFd();
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw new CliError('OUTPUT_WRITE', `--out ${this.target}: write failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#written += bytes.length;
  }

  #requireFd(): number {
    if (this.#fd === undefined)
      throw new CliError('OUTPUT_WRITE', `--out ${this.target}: file already closed`);
    return this.#fd;
  }
}
