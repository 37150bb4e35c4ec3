/**
 * Nexus's metrics contract end to end (seed 004): fake backends, health checks, the gateway with
 * `NexusMetrics` on a real `startTelemetry`, and `/metrics` and `/v1/stats` read over HTTP. Asserts the exact
 * names, types, label sets and buckets, the fleet gauges, model fallbacks, the in-flight gauge, the error
 * types, the StatsResponse against its JSON Schema and against `/metrics`, and that a gateway without metrics
 * answers chats the same way (FR-020) while its `/v1/stats` is a 503.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBackend, startFakeBackend } from './demo/fake-backend.ts';
import { BackendRegistry } from './gateway/backend-registry.ts';
import { type GatewayConfig, parseGatewayConfig } from './gateway/gateway-config.ts';
import { createGatewayMetrics } from './gateway/gateway-metrics.ts';
import { BACKEND_HEADER, createGatewayServer, FALLBACK_MODEL_HEADER } from './gateway/gateway-server.ts';
import { startHealthChecks } from './gateway/health-checker.ts';
import { NexusMetrics } from './metrics/nexus-metrics.ts';
import { createNexusStatsHandler, type StatsResponse } from './metrics/nexus-stats.ts';

const PROMPT_MARKER = 'nexus-prompt-marker-77c1';
const schema = JSON.parse(
  readFileSync(new URL('../contracts/nexus-stats-response.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true }).compile<StatsResponse>(schema);

/** The spec's metrics and exactly the labels each sample carries (OTel scope labels aside). */
const SPEC_LABELS: Readonly<Record<string, readonly string[]>> = {
  nexus_requests_total: ['backend', 'model', 'status'],
  nexus_request_duration_seconds_bucket: ['backend', 'le', 'model'],
  nexus_request_duration_seconds_count: ['backend', 'model'],
  nexus_errors_total: ['error_type', 'model'],
  nexus_backend_latency_seconds_count: ['backend'],
  nexus_fallbacks_total: ['from_model', 'to_model'],
  nexus_tokens_total_bucket: ['backend', 'le', 'model', 'type'],
  nexus_pending_requests: ['backend'],
  nexus_backends_total: [],
  nexus_backends_healthy: [],
  nexus_models_available: [],
};
const SPEC_TYPES: Readonly<Record<string, string>> = {
  nexus_requests_total: 'counter',
  nexus_request_duration_seconds: 'histogram',
  nexus_errors_total: 'counter',
  nexus_backend_latency_seconds: 'histogram',
  nexus_fallbacks_total: 'counter',
  nexus_tokens_total: 'histogram',
  nexus_pending_requests: 'gauge',
  nexus_backends_total: 'gauge',
  nexus_backends_healthy: 'gauge',
  nexus_models_available: 'gauge',
};

let alpha: FakeBackend;
let beta: FakeBackend;
let gamma: FakeBackend;
let telemetry: Telemetry;
let config: GatewayConfig;
let registry: BackendRegistry;
let stopHealthChecks: () => Promise<void>;
let gateway: Server;
let bare: Server;
let gatewayUrl: string;
let bareUrl: string;
const toldTokens = { prompt: 0, completion: 0 };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function chat(base: string, model: string): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-never-recorded' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `hi ${PROMPT_MARKER}` }] }),
  });
}

async function exposition(): Promise<string> {
  return (await fetch(`${telemetry.url}/metrics`)).text();
}

/** Sample lines of `name`: their sorted label names (scope labels aside), label values and value. */
function samples(body: string, name: string) {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const labels = Object.fromEntries(
        [...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)]
          .filter((m) => !m[1]!.startsWith('otel_scope_'))
          .map((m) => [m[1]!, m[2]!]),
      );
      return { labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) };
    });
}

function value(body: string, name: string, labels: Record<string, string>): number | undefined {
  return samples(body, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function stats(base = gatewayUrl): Promise<StatsResponse> {
  const res = await fetch(`${base}/v1/stats`);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  return body as StatsResponse;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what} within 20 s; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

beforeAll(async () => {
  alpha = await startFakeBackend({ name: 'alpha' });
  beta = await startFakeBackend({ name: 'beta', behaviour: 'unavailable' });
  gamma = await startFakeBackend({ name: 'gamma' });
  telemetry = await startTelemetry({
    serviceName: 'nexus-test',
    server: { port: 0 },
    metrics: { process: false },
    registerGlobal: false,
    configFile: false,
    env: {},
    logger: silentLogger,
  });
  config = parseGatewayConfig({
    backends: {
      alpha: { url: alpha.url, apiKey: 'sk-backend-never-recorded' },
      beta: { url: beta.url },
      gamma: { url: gamma.url },
    },
    models: {
      'gpt-4o': ['beta', 'alpha'],
      'llama3:70b': ['beta'],
      'mixtral:8x7b': ['gamma'],
      'phi-3': ['beta'],
    },
    fallbacks: { 'llama3:70b': ['mixtral:8x7b'] },
    attemptTimeoutMs: 10_000,
    // One round at start: the test then knows the fleet's health.
    healthCheck: { intervalMs: 600_000, timeoutMs: 5_000 },
  });
  registry = new BackendRegistry(config);
  const nexus = new NexusMetrics(telemetry.meter('nexus'), registry);
  stopHealthChecks = startHealthChecks(registry, config.healthCheck, (b, s) =>
    nexus.backendLatency(b.name, s),
  );
  gateway = createGatewayServer({
    config,
    metrics: createGatewayMetrics(telemetry.meter('llm-gateway')),
    nexus,
    stats: createNexusStatsHandler(nexus),
  });
  gatewayUrl = await listen(gateway);
  // The same gateway without metrics: same routing (the same fleet), no Nexus metrics, /v1/stats a 503.
  bare = createGatewayServer({
    config,
    metrics: createGatewayMetrics(telemetry.meter('bare')),
    fleet: registry,
    stats: createNexusStatsHandler(undefined),
  });
  bareUrl = await listen(bare);
});

afterAll(async () => {
  await stopHealthChecks?.();
  for (const server of [gateway, bare]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
  await telemetry?.shutdown();
  await Promise.all([alpha, beta, gamma].map((b) => b?.close()));
});

describe("the gateway's Nexus metrics", () => {
  it('computes the fleet gauges from the health checks at collection time', async () => {
    const body = await until(
      exposition,
      (text) =>
        value(text, 'nexus_backends_healthy', {}) === 2 &&
        value(text, 'nexus_backend_latency_seconds_count', { backend: 'gamma' }) === 1,
      'alpha and gamma healthy',
    );
    expect(value(body, 'nexus_backends_total', {})).toBe(3);
    // gpt-4o (alpha) and mixtral:8x7b (gamma); llama3:70b and phi-3 only have the unhealthy beta.
    expect(value(body, 'nexus_models_available', {})).toBe(2);
    expect(value(body, 'nexus_backend_latency_seconds_count', { backend: 'alpha' })).toBe(1);
    expect(value(body, 'nexus_backend_latency_seconds_count', { backend: 'beta' })).toBeUndefined();
    expect(registry.health('beta')).toBe('unhealthy');
  });

  it('routes past the unhealthy backend, falls back to another model, and answers 503/404 with their error types', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await chat(gatewayUrl, 'gpt-4o');
      expect(res.status).toBe(200);
      expect(res.headers.get(BACKEND_HEADER)).toBe('alpha');
      const answer = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      expect(answer).toBeDefined();
    }
    for (let i = 0; i < 2; i++) {
      const res = await chat(gatewayUrl, 'llama3:70b');
      expect(res.status).toBe(200);
      expect(res.headers.get(FALLBACK_MODEL_HEADER)).toBe('mixtral:8x7b');
      const answer = (await res.json()) as {
        model: string;
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      expect(answer.model).toBe('llama3:70b');
      toldTokens.prompt += answer.usage.prompt_tokens;
      toldTokens.completion += answer.usage.completion_tokens;
    }
    const none = await chat(gatewayUrl, 'phi-3');
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_healthy_backend');
    expect((await chat(gatewayUrl, 'made-up-model')).status).toBe(404);
    expect(beta.requests).toBe(0);
  });

  it('serves exactly the spec names, types, label sets and buckets on /metrics, with sanitized values and nothing secret', async () => {
    const body = await exposition();
    for (const [name, type] of Object.entries(SPEC_TYPES)) {
      expect(body, name).toMatch(new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
    }
    for (const [name, labels] of Object.entries(SPEC_LABELS)) {
      const found = samples(body, name);
      expect(found.length, name).toBeGreaterThan(0);
      for (const s of found) expect(Object.keys(s.labels).sort(), name).toEqual(labels);
    }
    const requests = (labels: Record<string, string>) => value(body, 'nexus_requests_total', labels);
    expect(requests({ model: 'gpt_4o', backend: 'alpha', status: '200' })).toBe(5);
    expect(requests({ model: 'llama3_70b', backend: 'gamma', status: '200' })).toBe(2);
    expect(requests({ model: 'phi_3', backend: 'none', status: '503' })).toBe(1);
    expect(value(body, 'nexus_errors_total', { error_type: 'no_healthy_backend', model: 'phi_3' })).toBe(1);
    expect(value(body, 'nexus_errors_total', { error_type: 'no_backend', model: '_unknown' })).toBe(1);
    expect(value(body, 'nexus_fallbacks_total', { from_model: 'llama3_70b', to_model: 'mixtral_8x7b' })).toBe(
      2,
    );
    const buckets = samples(body, 'nexus_request_duration_seconds_bucket')
      .filter((s) => s.labels.model === 'gpt_4o')
      .map((s) => s.labels.le);
    expect(buckets).toEqual(['0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '120', '300', '+Inf']);
    const tokens = (type: string) =>
      value(body, 'nexus_tokens_total_sum', { model: 'mixtral_8x7b', backend: 'gamma', type });
    expect(tokens('prompt')).toBe(toldTokens.prompt);
    expect(tokens('completion')).toBe(toldTokens.completion);
    expect(samples(body, 'nexus_pending_requests').map((s) => [s.labels.backend, s.value])).toEqual([
      ['alpha', 0],
      ['beta', 0],
      ['gamma', 0],
    ]);
    for (const secret of [PROMPT_MARKER, 'sk-client', 'sk-backend', '127.0.0.1', 'made-up-model']) {
      expect(body).not.toContain(secret);
    }
  });

  it('serves the StatsResponse of the spec, valid against its JSON Schema and agreeing with /metrics', async () => {
    const summary = await stats();
    expect(summary.requests).toEqual({ total: 8, success: 7, errors: 1 });
    expect(summary.backends.map((b) => [b.id, b.name, b.requests, b.pending])).toEqual([
      ['alpha', 'alpha', 5, 0],
      ['beta', 'beta', 0, 0],
      ['gamma', 'gamma', 2, 0],
    ]);
    expect(summary.models.map((m) => [m.name, m.requests])).toEqual([
      ['gpt-4o', 5],
      ['llama3:70b', 2],
      ['phi-3', 1],
      ['mixtral:8x7b', 0],
    ]);
    for (const b of summary.backends) {
      expect(b.average_latency_ms > 0).toBe(b.requests > 0);
      expect(Math.round(b.average_latency_ms * 10) / 10).toBe(b.average_latency_ms);
    }
    const body = await exposition();
    const sum = (name: string, label: string, v: string) =>
      samples(body, name)
        .filter((s) => s.labels[label] === v)
        .reduce((total, s) => total + s.value, 0);
    expect(sum('nexus_requests_total', 'backend', 'alpha')).toBe(5);
    const alphaSeconds = sum('nexus_request_duration_seconds_sum', 'backend', 'alpha');
    expect(summary.backends[0]!.average_latency_ms).toBe(Math.round((alphaSeconds / 5) * 10_000) / 10);
    expect(summary.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(summary.uptime_seconds)).toBe(true);
  });

  it('measures attempts in flight as nexus_pending_requests and pending, back to 0 when they end', async () => {
    gamma.behaviour = 'stall';
    const held = chat(gatewayUrl, 'mixtral:8x7b');
    const during = await until(stats, (s) => s.backends[2]!.pending === 1, 'gamma pending 1');
    expect(during.backends.map((b) => b.pending)).toEqual([0, 0, 1]);
    expect(value(await exposition(), 'nexus_pending_requests', { backend: 'gamma' })).toBe(1);
    gamma.behaviour = 'ok';
    expect((await held).status).toBe(200);
    expect((await stats()).backends[2]!.pending).toBe(0);
    expect(value(await exposition(), 'nexus_pending_requests', { backend: 'gamma' })).toBe(0);
  });

  it('answers chats the same without metrics (FR-020), and /v1/stats there is the spec 503', async () => {
    const withMetrics = await chat(gatewayUrl, 'llama3:70b');
    const without = await chat(bareUrl, 'llama3:70b');
    expect(without.status).toBe(withMetrics.status);
    for (const header of [BACKEND_HEADER, FALLBACK_MODEL_HEADER]) {
      expect(without.headers.get(header)).toBe(withMetrics.headers.get(header));
    }
    const strip = (answer: Record<string, unknown>) => ({ ...answer, id: undefined, created: undefined });
    expect(strip((await without.json()) as Record<string, unknown>)).toEqual(
      strip((await withMetrics.json()) as Record<string, unknown>),
    );
    const stats503 = await fetch(`${bareUrl}/v1/stats`);
    expect(stats503.status).toBe(503);
    expect(await stats503.json()).toEqual({
      error: {
        message: 'Metrics collection not initialized',
        type: 'service_unavailable',
        code: 'metrics_unavailable',
      },
    });
  });
});
