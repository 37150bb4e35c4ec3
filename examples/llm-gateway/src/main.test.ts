import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('the LLM gateway demo', () => {
  // Bounded waits, generous for a busy machine: the child compiles and starts the whole SDK first.
  it('serves fallbacks to its own traffic, prints its URLs and stops cleanly on SIGINT', {
    timeout: 120_000,
  }, async () => {
    const proc = spawn(process.execPath, ['--conditions=yardstick-source', main], {
      env: {
        ...process.env,
        LLM_GATEWAY_PORT: '0',
        LLM_GATEWAY_RPS: '40',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        YARDSTICK_LOG_LEVEL: 'warn',
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

    let metricsUrl: string | undefined;
    let statsUrl: string | undefined;
    const started = Date.now() + 60_000;
    while (Date.now() < started && (metricsUrl === undefined || statsUrl === undefined)) {
      metricsUrl = /metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out)?.[1];
      statsUrl = /stats:\s+(http:\/\/127\.0\.0\.1:\d+\/v1\/stats)/.exec(out)?.[1];
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (metricsUrl === undefined || statsUrl === undefined)
      throw new Error(`the demo printed no URLs:\n${out}`);

    // The primary fails 30% of attempts, so gpt-4o-mini soon falls back to the secondary (backend fallback)
    // and mistral-small, whose only backend is the primary, to llama-3.1-8b (model fallback).
    let body = '';
    const deadline = Date.now() + 30_000;
    const backendFallback =
      /llm_gateway_fallbacks_total\{[^}]*gen_ai_request_model="gpt-4o-mini",llm_gateway_fallback_from="primary",llm_gateway_fallback_to="secondary"/;
    const modelFallback = /^nexus_fallbacks_total\{from_model="mistral_small",[^}]*to_model="llama_3_1_8b"/m;
    // a request is counted when its answer is complete, which can be after its fallback was counted
    const served = /^nexus_requests_total\{backend="(primary|secondary)",model="gpt_4o_mini",status="200"/m;
    // The backend calls through the SDK's HTTP client kit, by backend name, never by address.
    const clientCall =
      /^http_client_request_duration_seconds_count\{http_request_method="POST",http_response_status_code="200",server_address="secondary",url_scheme="http",/m;
    const expected = [backendFallback, modelFallback, served, clientCall];
    while (Date.now() < deadline && !expected.every((pattern) => pattern.test(body))) {
      await new Promise((r) => setTimeout(r, 200));
      body = await (await fetch(metricsUrl)).text();
    }
    expect(body).toMatch(backendFallback);
    expect(body).toMatch(modelFallback);
    expect(body).toMatch(served);
    expect(body).toMatch(/^nexus_backends_total(\{[^}]*\})? 2$/m);
    expect(body).toMatch(clientCall);
    expect(body).not.toContain('127.0.0.1');
    const stats = (await (await fetch(statsUrl)).json()) as {
      backends: Array<{ name: string }>;
      models: Array<{ name: string }>;
    };
    expect(stats.backends.map((b) => b.name)).toEqual(['primary', 'secondary']);
    expect(stats.models.map((m) => m.name).sort()).toEqual(['gpt-4o-mini', 'llama-3.1-8b', 'mistral-small']);

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped cleanly');
  });

  it('refuses an invalid routing table in LLM_GATEWAY_CONFIG with one line per problem and exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-gateway-'));
    try {
      const file = join(dir, 'routing.json');
      writeFileSync(file, JSON.stringify({ backends: { a: { url: 'ftp://x' } }, models: { m: ['b'] } }));
      const run = spawnSync(process.execPath, ['--conditions=yardstick-source', main], {
        env: { ...process.env, LLM_GATEWAY_CONFIG: file },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('backends.a.url: must be an http:// or https:// URL');
      expect(run.stderr).toContain('models.m.0: unknown backend "b"');
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
