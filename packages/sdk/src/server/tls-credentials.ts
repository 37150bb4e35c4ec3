/**
 * Reading the telemetry server's certificate and key, with a failure that names the file and the setting
 * instead of OpenSSL's bare `PEM routines::no start line`.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** The PEM files of `server.tls`. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A certificate (chain) and its private key, checked to load and to match. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The credentials, or which file is at fault and why. */
export type TlsCredentialsResult =
  | { readonly ok: true; readonly credentials: TlsCredentials }
  | {
      readonly ok: false;
      /** The `server.tls` field naming the file at fault. */
      readonly field: 'certFile' | 'keyFile';
      readonly file: string;
      /** What is wrong with the file, e.g. `is not a PEM certificate (PEM routines::no start line)`. */
      readonly message: string;
      readonly cause: unknown;
    };

/**
 * Reads both files and checks them the way the HTTPS server will use them: the certificate alone, the key
 * alone, then the pair, so the failure names the right file. `certSetting` is how the key-mismatch message
 * names the certificate's setting, for callers whose configuration calls it something else.
 *
 * @example
 * ```ts
 * const loaded = readTlsCredentials({ certFile: 'server.crt', keyFile: 'server.key' });
 * if (!loaded.ok) console.error(`${loaded.field}: ${loaded.file} ${loaded.message}`);
 * ```
 */
export function readTlsCredentials(files: TlsFiles, certSetting = 'certFile'): TlsCredentialsResult {
  const fail = (field: 'certFile' | 'keyFile', message: string, cause: unknown): TlsCredentialsResult => ({
    ok: false,
    field,
    file: files[field],
    message,
    cause,
  });
  const read = (field: 'certFile' | 'keyFile'): Buffer | TlsCredentialsResult => {
    try {
      return readFileSync(files[field]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail(field, `cannot be read (${code})`, error);
    }
  };
  const cert = read('certFile');
  if (!Buffer.isBuffer(cert)) return cert;
  const key = read('keyFile');
  if (!Buffer.isBuffer(key)) return key;
  try {
    createSecureContext({ cert });
  } catch (error) {
    return fail('certFile', `is not a PEM certificate (${opensslReason(error)})`, error);
  }
  try {
    createSecureContext({ key });
  } catch (error) {
    return fail('keyFile', `is not an unencrypted PEM private key (${opensslReason(error)})`, error);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    return fail(
      'keyFile',
      `does not belong to the certificate in ${certSetting} (${opensslReason(error)})`,
      error,
    );
  }
  return { ok: true, credentials: { cert, key } };
}

/** `error:0480006C:PEM routines::no start line` -> `PEM routines::no start line`. */
function opensslReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error:[0-9A-F]+:/, '');
}
