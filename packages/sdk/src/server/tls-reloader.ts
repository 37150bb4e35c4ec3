/**
 * Certificate rotation without a restart: the telemetry server reloads its certificate and key when either file
 * changes, and on SIGHUP. A new pair that does not load (half-written, mismatched, not PEM) is refused with one
 * log line naming the file, and the server keeps serving the previous certificate.
 */
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../logging/logger.ts';
import { readTlsCredentials, type TlsCredentials, type TlsFiles } from './tls-credentials.ts';

/** Options of {@link watchTlsFiles}. */
export interface TlsReloadOptions {
  readonly files: TlsFiles;
  /** Installs credentials that loaded, e.g. `server.setSecureContext`. */
  readonly apply: (credentials: TlsCredentials) => void;
  readonly logger: Logger;
  /**
   * How often the files are stat-ed. Polling (`fs.watchFile`) rather than `fs.watch`, because rotation tools
   * replace files by rename and Kubernetes swaps a symlink, which an inode watch misses. Default 1000 ms.
   */
  readonly pollIntervalMs?: number;
  /** Quiet time after the last change before reloading, so a key and certificate written in turn load together. Default 200 ms. */
  readonly debounceMs?: number;
}

/** A running watch. */
export interface TlsReloader {
  /** Reloads now; false when the files did not load (the previous certificate stays). */
  reload(): boolean;
  /** Stops watching and listening for SIGHUP. */
  close(): void;
}

/** Watches the TLS files and reloads them into the server when they change or on SIGHUP. */
export function watchTlsFiles(options: TlsReloadOptions): TlsReloader {
  const { files, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  const reload = (): boolean => {
    const result = readTlsCredentials(files);
    if (!result.ok) {
      logger.warn(
        { field: `server.tls.${result.field}`, file: result.file },
        `TLS reload failed: server.tls.${result.field} ${result.file} ${result.message}; still serving the previous certificate`,
      );
      return false;
    }
    options.apply(result.credentials);
    logger.info({ certFile: files.certFile, keyFile: files.keyFile }, 'TLS certificate reloaded');
    return true;
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload();
    }, options.debounceMs ?? 200);
    timer.unref();
  };
  const onStat = (current: Stats, previous: Stats): void => {
    // watchFile also reports mere reads (atime); only a new inode, size or mtime is a new file.
    if (
      current.mtimeMs !== previous.mtimeMs ||
      current.ino !== previous.ino ||
      current.size !== previous.size
    ) {
      schedule();
    }
  };
  const watchOptions = { interval: options.pollIntervalMs ?? 1_000, persistent: false };
  const watched = [...new Set([files.certFile, files.keyFile])];
  for (const file of watched) watchFile(file, watchOptions, onStat);
  process.on('SIGHUP', schedule);
  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const file of watched) unwatchFile(file, onStat);
      process.off('SIGHUP', schedule);
    },
  };
}
