/**
 * `--workers N`: the quickstart under node:cluster. Requests spread over the workers; the primary's
 * `/metrics` counts all of them, keeps a killed worker's count, and the app goes on with a replacement.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  // The primary's SIGKILL leaves its workers without their IPC channel: they exit as it closes.
  child?.kill('SIGKILL');
  child = undefined;
});

function spawnQuickstart(args: readonly string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--conditions=yardstick-source', main, ...args], {
    env: {
      ...process.env,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      QUICKSTART_PORT: '0',
      QUICKSTART_RPS: '20',
      YARDSTICK_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, stderr: () => stderr, exited };
}

/** Polls `probe` every 200 ms until it returns a value, for at most `timeoutMs` (the machine may be busy). */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * `DELETE /` on a connection of its own (so the cluster hands each to the next worker); its `x-served-by`.
 * Fails after 15 s: a connection the primary handed to a worker just killed is never answered.
 */
function deleteOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { method: 'DELETE', agent: false, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['x-served-by'])));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The `DELETE` requests the primary's /metrics counts, all series summed (the traffic generator never sends
 * DELETE, so these are the test's alone).
 */
async function deletesCounted(metricsUrl: string): Promise<number> {
  const body = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of body.split('\n')) {
    if (
      line.startsWith('http_server_request_duration_seconds_count{') &&
      line.includes('http_request_method="DELETE"')
    )
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('quickstart --workers 2', () => {
  it("counts every worker's requests on the primary's /metrics, keeps a killed worker's, and stops cleanly", async () => {
    const { proc, output, exited } = spawnQuickstart(['--workers', '2']);
    const [serviceUrl, metricsUrl] = await waitFor('the quickstart to print its URLs', () => {
      if (proc.exitCode !== null) throw new Error(`quickstart exited:\n${output()}`);
      const service = /service:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output())?.[1];
      const metrics = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output())?.[1];
      return service && metrics ? [service, metrics] : undefined;
    });
    expect(output()).toContain('served by 2 cluster workers');

    const servedBy: string[] = [];
    for (let i = 0; i < 40; i++) servedBy.push(await deleteOnNewConnection(serviceUrl));
    const workers = [...new Set(servedBy)];
    expect(workers.map((worker) => /^worker \d+, pid \d+$/.test(worker))).toEqual([true, true]);
    // Exactly the 40: each worker counted part of them, the primary shows their sum.
    await waitFor('the primary to count 40 DELETE requests', async () =>
      (await deletesCounted(metricsUrl)) === 40 ? true : undefined,
    );

    // A killed worker's count stays; a replacement is forked and the service goes on.
    const victim = Number(/pid (\d+)/.exec(workers[0]!)?.[1]);
    process.kill(victim, 'SIGKILL');
    await waitFor('a replacement worker', () => (/forking a replacement/.test(output()) ? true : undefined));
    // a connection handed to the victim before the primary saw it die fails, unanswered and uncounted: sent again
    let answered = 0;
    for (let attempt = 0; answered < 10 && attempt < 30; attempt++) {
      if (
        await deleteOnNewConnection(serviceUrl).then(
          () => true,
          () => false,
        )
      )
        answered++;
    }
    expect(answered).toBe(10);
    await waitFor('the primary to count 50 DELETE requests', async () => {
      const counted = await deletesCounted(metricsUrl);
      expect(counted).toBeGreaterThanOrEqual(40);
      return counted === 50 ? true : undefined;
    });

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('stopped cleanly');
  }, 150_000);

  it('exits 1 with one line for a --workers that is not a whole number from 1 to 32', async () => {
    const { stderr, exited } = spawnQuickstart(['--workers', '0']);
    expect(await exited).toBe(1);
    expect(stderr()).toBe('quickstart: --workers must be a whole number from 1 to 32, got "0"\n');
  });

  it("exits 1 with the worker's one line when the shared port is taken", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const { stderr, exited } = spawnQuickstart(['--workers', '2'], { QUICKSTART_PORT: String(port) });
      expect(await exited).toBe(1);
      expect(stderr()).toBe(
        `quickstart: cannot listen on 127.0.0.1:${port}: the address is already in use; set QUICKSTART_PORT to a free port, or 0 for any\n`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
