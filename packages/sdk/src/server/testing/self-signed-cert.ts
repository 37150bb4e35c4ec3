/**
 * Self-signed certificates for TLS tests, made with the `openssl` CLI at test time (nothing secret is
 * committed). EC P-256 keys keep generation fast.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate for 127.0.0.1 and its key, written to `dir`. */
export interface SelfSignedCert {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate PEM, to trust as a CA in a client. */
  readonly certPem: string;
}

/** Writes `<name>.crt` and `<name>.key` to `dir`: a one-day certificate for `CN=<commonName>`, IP 127.0.0.1. */
export function writeSelfSignedCert(dir: string, name: string, commonName = '127.0.0.1'): SelfSignedCert {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}
