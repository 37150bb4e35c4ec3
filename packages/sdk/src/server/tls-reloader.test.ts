import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { writeSelfSignedCert } from './testing/self-signed-cert.ts';
import type { TlsCredentials } from './tls-credentials.ts';
import { type TlsReloader, watchTlsFiles } from './tls-reloader.ts';

let dir: string;
let reloader: TlsReloader | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yardstick-tls-reload-'));
});
afterEach(() => {
  reloader?.close();
  reloader = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first credentials applied, or undefined after `ms`. */
function applied(ms: number): {
  apply: (c: TlsCredentials) => void;
  next: Promise<TlsCredentials | undefined>;
} {
  let resolve: (c: TlsCredentials | undefined) => void = () => {};
  const next = new Promise<TlsCredentials | undefined>((r) => {
    resolve = r;
    setTimeout(() => r(undefined), ms);
  });
  return { apply: (c) => resolve(c), next };
}

describe('watchTlsFiles', () => {
  it('reloads on SIGHUP, even when polling would not look for an hour', async () => {
    const live = writeSelfSignedCert(dir, 'live');
    const { apply, next } = applied(5_000);
    reloader = watchTlsFiles({
      files: live,
      apply,
      logger: silentLogger,
      pollIntervalMs: 3_600_000,
      debounceMs: 10,
    });
    process.emit('SIGHUP');
    expect((await next)?.cert.toString()).toBe(live.certPem);
  });

  it('reloads when a file changes on disk', async () => {
    const live = writeSelfSignedCert(dir, 'live');
    const rotated = writeSelfSignedCert(dir, 'rotated');
    const { apply, next } = applied(5_000);
    reloader = watchTlsFiles({
      files: live,
      apply,
      logger: silentLogger,
      pollIntervalMs: 20,
      debounceMs: 50,
    });
    // watchFile compares with its first stat, taken asynchronously: let it happen before the change.
    await new Promise((resolve) => setTimeout(resolve, 100));
    copyFileSync(rotated.keyFile, live.keyFile);
    copyFileSync(rotated.certFile, live.certFile);
    expect((await next)?.cert.toString()).toBe(rotated.certPem);
  });

  it('applies nothing and logs one line naming the file when the new files do not load', () => {
    const live = writeSelfSignedCert(dir, 'live');
    const warnings: string[] = [];
    const applies: TlsCredentials[] = [];
    reloader = watchTlsFiles({
      files: live,
      apply: (c) => applies.push(c),
      logger: { ...silentLogger, warn: (_obj, msg) => warnings.push(msg ?? '') },
    });
    writeFileSync(live.keyFile, 'garbage');
    expect(reloader.reload()).toBe(false);
    expect(applies).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^TLS reload failed: server\\.tls\\.keyFile ${live.keyFile} is not an unencrypted PEM private key \\(.+\\); still serving the previous certificate$`,
        ),
      ),
    ]);
  });

  it('stops listening for SIGHUP when closed', () => {
    const live = writeSelfSignedCert(dir, 'live');
    const before = process.listenerCount('SIGHUP');
    const watch = watchTlsFiles({ files: live, apply: () => {}, logger: silentLogger });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    watch.close();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
