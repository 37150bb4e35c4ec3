/**
 * Real peers (Debian's prometheus, promtool, alertmanager, victoria-metrics, redis-server, and chromium for the
 * web UI) for integration tests.
 *
 * A test that needs a peer calls {@link peer}: when the binary is missing the test is skipped with a clear
 * message, unless `YARDSTICK_REQUIRE_PEERS=1` (set by `.ci/run` after installing them), where it fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Debian binary names of the peers the integration tests use. */
export const PEER_BINARIES = {
  prometheus: 'prometheus',
  promtool: 'promtool',
  alertmanager: 'prometheus-alertmanager',
  'victoria-metrics': 'victoria-metrics',
  redis: 'redis-server',
  chromium: 'chromium',
} as const;

/** The Debian package that installs each peer. */
const PEER_PACKAGES: Readonly<Record<PeerName, string>> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  alertmanager: 'prometheus-alertmanager',
  'victoria-metrics': 'victoria-metrics',
  redis: 'redis-server',
  chromium: 'chromium',
};

export type PeerName = keyof typeof PEER_BINARIES;

const requirePeers = process.env.YARDSTICK_REQUIRE_PEERS === '1';

function which(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** What {@link peer} found: the binary's path, or why the tests using it are skipped. */
export interface PeerLookup {
  readonly path: string | undefined;
  readonly skipReason: string | undefined;
}

/**
 * Looks a peer up on PATH. Missing + `YARDSTICK_REQUIRE_PEERS=1` throws at collection time so the suite
 * fails; missing otherwise returns a skip reason to pass to `describe.skipIf`.
 */
export function peer(name: PeerName): PeerLookup {
  const binary = PEER_BINARIES[name];
  const path = which(binary);
  if (path) return { path, skipReason: undefined };
  const message = `${binary} not found on PATH: install the Debian package (apt-get install -y ${PEER_PACKAGES[name]}) to run these tests`;
  if (requirePeers) throw new Error(`YARDSTICK_REQUIRE_PEERS=1 but ${message}`);
  console.warn(`skipping: ${message}`);
  return { path: undefined, skipReason: message };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A temporary directory, removed by the returned `cleanup`. */
export function tempDir(prefix = 'yardstick-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A peer process started by a test. */
export interface RunningPeer {
  readonly process: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for assertion messages. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `binary args...` and waits (bounded by `timeoutMs`) until `readyUrl` answers 2xx.
 */
export async function startPeer(
  binary: string,
  args: readonly string[],
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<RunningPeer> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const running: RunningPeer = {
    process: child,
    output: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${binary} exited before it was ready:\n${out}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return running;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await running.stop();
  throw new Error(`${binary} not ready at ${readyUrl} within ${timeoutMs} ms:\n${out}`);
}
