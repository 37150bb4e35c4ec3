import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** Starts the quickstart on ephemeral ports and resolves once it printed its URLs. */
async function startQuickstart(): Promise<{
  output: () => string;
  metricsUrl: string;
  exited: Promise<number | null>;
}> {
  const proc = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: {
      ...process.env,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      QUICKSTART_PORT: '0',
      QUICKSTART_RPS: '50',
      YARDSTICK_LOG_LEVEL: 'warn',
      // The store samples every 250 ms here, so /v1/stats has rates within the test's time.
      YARDSTICK_COLLECT_INTERVAL: '250',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out);
    if (match) return { output: () => out, metricsUrl: match[1]!, exited };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`quickstart did not print its URLs:\n${out}`);
}

describe('quickstart example', () => {
  it('serves live request metrics under the OTel semantic-convention names and stops cleanly on SIGINT', async () => {
    const { output, metricsUrl, exited } = await startQuickstart();
    let body = '';
    const deadline = Date.now() + 15_000;
    while (
      Date.now() < deadline &&
      !/http_server_request_duration_seconds_count\{[^}]*http_route="\/users\/:id"/.test(body)
    ) {
      await new Promise((r) => setTimeout(r, 200));
      body = await (await fetch(metricsUrl)).text();
    }
    expect(body).toMatch(/# TYPE http_server_request_duration_seconds histogram/);
    expect(body).toMatch(
      /http_server_request_duration_seconds_bucket\{[^}]*http_request_method="GET"[^}]*le="0.005"/,
    );
    expect(body).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="\/users\/:id"/);
    // unmatched paths are recorded without a route label, so raw paths never become label values
    expect(body).not.toMatch(/http_route="\/missing"/);

    // The web UI's link comes first and opens the query page.
    const uiUrl = /^\s+web UI:\s+(http:\/\/127\.0\.0\.1:\d+\/graph\?\S+)$/m.exec(output())?.[1];
    expect(output().indexOf('web UI:'), output()).toBeLessThan(output().indexOf('metrics:'));
    const ui = await fetch(uiUrl!);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(new URL(uiUrl!).searchParams.get('g0.expr')).toContain('histogram_quantile(0.95');

    // /v1/stats summarises the same traffic from the embedded store.
    const statsUrl = /stats:\s+(http:\/\/127\.0\.0\.1:\d+\/v1\/stats)/.exec(output())?.[1];
    expect(statsUrl, output()).toBeDefined();
    let stats: { http: { requestsPerSecond: number | null; routes: { route: string }[] } } | undefined;
    const statsDeadline = Date.now() + 15_000;
    while (Date.now() < statsDeadline && !stats?.http.routes.some((r) => r.route === '/users/:id')) {
      await new Promise((r) => setTimeout(r, 250));
      stats = (await (await fetch(`${statsUrl!}?window=10s`)).json()) as typeof stats;
    }
    expect(stats?.http.requestsPerSecond).toBeGreaterThan(0);
    expect(stats?.http.routes.map((r) => r.route)).toContain('/users/:id');

    child?.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('stopped cleanly');
  });
});

/** Runs the quickstart with `env` until it exits (at most 20 s) and returns its exit code and output. */
async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: {
      ...process.env,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      QUICKSTART_PORT: '0',
      YARDSTICK_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timeout = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  clearTimeout(timeout);
  return { code, stdout, stderr };
}

/** Holds a port on 127.0.0.1 the way another process would. */
async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as { port: number };
  return { port, release: () => new Promise((resolve) => holder.close(() => resolve())) };
}

describe('quickstart with a setting to change', () => {
  it('exits 1 with one line naming the address and QUICKSTART_PORT when the service port is taken', async () => {
    const { port, release } = await occupyPort();
    try {
      const { code, stderr } = await runToExit({ QUICKSTART_PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `quickstart: cannot listen on 127.0.0.1:${port}: the address is already in use; set QUICKSTART_PORT to a free port, or 0 for any\n`,
      );
    } finally {
      await release();
    }
  });

  it('exits 1 with one line naming the address and the telemetry port setting when that port is taken', async () => {
    const { port, release } = await occupyPort();
    try {
      const { code, stderr } = await runToExit({ OTEL_EXPORTER_PROMETHEUS_PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `quickstart: telemetry server cannot listen on 127.0.0.1:${port}: the address is already in use; set server.port (env OTEL_EXPORTER_PROMETHEUS_PORT) to a free port, or 0 for any\n`,
      );
    } finally {
      await release();
    }
  });

  it('exits 1 with one line for a malformed port or rate instead of a RangeError or a 1 ms timer', async () => {
    expect(await runToExit({ QUICKSTART_PORT: 'http' })).toMatchObject({
      code: 1,
      stderr: 'quickstart: QUICKSTART_PORT must be a port number from 0 to 65535, got "http"\n',
    });
    expect(await runToExit({ QUICKSTART_RPS: '0' })).toMatchObject({
      code: 1,
      stderr: 'quickstart: QUICKSTART_RPS must be a number from 0.1 to 1000, got "0"\n',
    });
  });
});
