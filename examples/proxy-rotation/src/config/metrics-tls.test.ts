import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SelfSignedCert,
  writeSelfSignedCert,
} from '../../../../packages/sdk/src/server/testing/self-signed-cert.ts';
import { tempDir } from '../../../../test/support/peers.ts';
import { loadMetricsConfig } from './load-metrics-config.ts';
import { ProxyWhirlConfigError } from './proxywhirl-config-error.ts';
import { toYardstickConfig } from './to-yardstick-config.ts';

const work = tempDir('proxywhirl-tls-');
let ours: SelfSignedCert;
let theirs: SelfSignedCert;

beforeAll(() => {
  mkdirSync(join(work.dir, 'certs'));
  ours = writeSelfSignedCert(join(work.dir, 'certs'), 'metrics');
  theirs = writeSelfSignedCert(work.dir, 'other');
});
afterAll(() => work.cleanup());

/** Writes `.proxywhirl.toml` with `lines` in its `[metrics]` table (line 3 on) and loads it. */
function load(lines: string): ReturnType<typeof loadMetricsConfig> {
  const file = join(work.dir, '.proxywhirl.toml');
  writeFileSync(file, `# ProxyWhirl\n[metrics]\n${lines}\n`);
  return loadMetricsConfig(file);
}

function messageOf(lines: string): string {
  try {
    load(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyWhirlConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('MetricsConfig TLS (seed 000 T104)', () => {
  it('reads tls_cert_file and tls_key_file relative to the config file and maps them onto server.tls', () => {
    const config = load('tls_cert_file = "certs/metrics.crt"\ntls_key_file = "certs/metrics.key"');
    expect(config.tls_cert_file).toBe(ours.certFile);
    expect(config.tls_key_file).toBe(ours.keyFile);
    const resolved = loadConfig({ env: {}, file: false, code: toYardstickConfig(config) });
    expect(resolved.server.tls).toEqual({ certFile: ours.certFile, keyFile: ours.keyFile });
    // Without the two fields the metrics endpoint stays plain HTTP.
    expect(toYardstickConfig(load('enabled = true')).server).not.toHaveProperty('tls');
  });

  it('wants both files or neither, reporting the missing one at the line of the other', () => {
    const file = join(work.dir, '.proxywhirl.toml');
    expect(messageOf(`tls_cert_file = "${ours.certFile}"`)).toBe(
      `${file}:3: metrics.tls_key_file: is required when tls_cert_file is set (set both or neither)`,
    );
    expect(messageOf(`\ntls_key_file = "${ours.keyFile}"`)).toBe(
      `${file}:4: metrics.tls_cert_file: is required when tls_key_file is set (set both or neither)`,
    );
  });

  it('refuses a file that is missing, not a file or unreadable, naming the field and the path', () => {
    const file = join(work.dir, '.proxywhirl.toml');
    expect(messageOf(`tls_cert_file = "missing.crt"\ntls_key_file = "${ours.keyFile}"`)).toBe(
      `${file}:3: metrics.tls_cert_file: cannot read ${join(work.dir, 'missing.crt')} (ENOENT)`,
    );
    expect(messageOf(`tls_cert_file = "${ours.certFile}"\ntls_key_file = "certs"`)).toBe(
      `${file}:4: metrics.tls_key_file: ${join(work.dir, 'certs')} is not a regular file`,
    );
    const locked = join(work.dir, 'locked.key');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    // root reads any file: the check is the process's own access, as the server's would be.
    if (process.getuid?.() !== 0) {
      expect(messageOf(`tls_cert_file = "${ours.certFile}"\ntls_key_file = "${locked}"`)).toBe(
        `${file}:4: metrics.tls_key_file: cannot read ${locked} (EACCES)`,
      );
    }
  });

  it('refuses a certificate that is not PEM and a key of another certificate, naming the file at fault', () => {
    const file = join(work.dir, '.proxywhirl.toml');
    const notPem = join(work.dir, 'not-pem.crt');
    writeFileSync(notPem, 'not a certificate\n');
    expect(messageOf(`tls_cert_file = "${notPem}"\ntls_key_file = "${ours.keyFile}"`)).toBe(
      `${file}:3: metrics.tls_cert_file: ${notPem} is not a PEM certificate (PEM routines::no start line)`,
    );
    expect(messageOf(`tls_cert_file = "${ours.certFile}"\ntls_key_file = "${theirs.keyFile}"`)).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: metrics\\.tls_key_file: ${theirs.keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not belong to the certificate in tls_cert_file \\(.+\\)$`,
      ),
    );
  });
});
