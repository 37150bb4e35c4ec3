import { type ChildProcess, spawn } from 'node:child_process';
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
