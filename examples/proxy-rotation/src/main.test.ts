import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('the proxy-rotation demo', () => {
  it('prints its URLs, serves pool metrics with an outage visible, and stops cleanly on SIGINT', async () => {
    const proc = spawn(process.execPath, ['--conditions=yardstick-source', main], {
      env: {
        ...process.env,
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        YARDSTICK_LOG_LEVEL: 'error',
        PROXY_DEMO_PERIOD_MS: '500',
        PROXY_DEMO_OUTAGE_MS: '5000',
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
    const unhealthy =
      /^pool_items\{pool_item_state="unhealthy",pool_name="residential",region="eu-west"[^}]*\} 1$/m;
    let body = '';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !unhealthy.test(body)) {
      await new Promise((r) => setTimeout(r, 200));
      const url = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out)?.[1];
      if (url !== undefined) body = await (await fetch(url)).text();
    }
    expect(out).toMatch(/pools:\s+http:\/\/127\.0\.0\.1:\d+\//);
    expect(body).toMatch(unhealthy);
    expect(body).toMatch(/^proxy_requests_total\{outcome="success",pool_name="datacenter"/m);
    expect(body).not.toContain('s3cret-password');

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped cleanly');
  }, 25_000);
});
