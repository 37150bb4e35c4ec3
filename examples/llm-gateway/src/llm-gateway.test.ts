import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBackend, startFakeBackend } from './demo/fake-backend.ts';
import { startWebhookReceiver, type WebhookReceiver } from './demo/webhook-receiver.ts';
import { parseGatewayConfig } from './gateway/gateway-config.ts';
import { createGatewayMetrics } from './gateway/gateway-metrics.ts';
import { BACKEND_HEADER, createGatewayServer, GATEWAY_HTTP_OPTIONS } from './gateway/gateway-server.ts';
import { createStatsHandler, type GatewayStats } from './stats/gateway-stats.ts';

const RULES = fileURLToPath(new URL('../rules/gateway.rules.yml', import.meta.url));
/** Text that appears in every prompt and must never reach a metric, a label or the stats. */
const PROMPT_MARKER = 'confidential-prompt-marker-5d1c';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let healthy: FakeBackend;
let broken: FakeBackend;
let hanging: FakeBackend;
let toggle: FakeBackend;
let receiver: WebhookReceiver;
let telemetry: Telemetry;
let gateway: Server;
let gatewayUrl: string;
/** Token counts the clients were told, per model: what the stats must add up to. */
const toldTokens = new Map<string, { input: number; output: number }>();

/** A port that was just free and is closed again: connecting to it is refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

async function chat(model: string, content = `hello ${PROMPT_MARKER}`): Promise<Response> {
  return fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-key-never-recorded' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
}

/** Reads an answer and notes the usage the client was told. */
async function answer(model: string, res: Response): Promise<{ content: string; backend: string | null }> {
  const body = (await res.json()) as {
    choices: Array<{ message: { content: string } }>;
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  const told = toldTokens.get(model) ?? { input: 0, output: 0 };
  told.input += body.usage.prompt_tokens;
  told.output += body.usage.completion_tokens;
  toldTokens.set(model, told);
  return { content: body.choices[0]!.message.content, backend: res.headers.get(BACKEND_HEADER) };
}

/** The value of the exposition sample `name` whose labels include `labels`, or undefined. */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const end = line.lastIndexOf('}');
    const text = line.slice(name.length + 1, end);
    if (Object.entries(labels).every(([k, v]) => text.includes(`${k}="${v}"`))) {
      return Number(line.slice(end + 1).trim());
    }
  }
  return undefined;
}

async function stats(): Promise<GatewayStats> {
  await telemetry.forceFlush(); // refresh the embedded store now instead of waiting for the next collection
  const res = await fetch(`${gatewayUrl}/v1/stats/window`);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).not.toContain(PROMPT_MARKER);
  return JSON.parse(text) as GatewayStats;
}

async function waitForAlert(status: 'firing' | 'resolved', drive: () => Promise<void>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const alert = receiver.alerts.find(
      (a) => a.status === status && a.labels.alertname === 'LlmModelHighErrorRatio',
    );
    if (alert) return alert;
    await drive();
  }
  throw new Error(`no ${status} LlmModelHighErrorRatio alert within ${timeoutMs} ms`);
}

beforeAll(async () => {
  healthy = await startFakeBackend({ name: 'healthy' });
  broken = await startFakeBackend({ name: 'broken', behaviour: 'unavailable' });
  hanging = await startFakeBackend({ name: 'hanging', behaviour: 'hang' });
  toggle = await startFakeBackend({ name: 'toggle', behaviour: 'unavailable' });
  receiver = await startWebhookReceiver();
  telemetry = await startTelemetry({
    serviceName: 'llm-gateway-test',
    server: { port: 0 },
    collectIntervalMs: 100,
    metrics: { process: false },
    registerGlobal: false,
    alerting: {
      ruleFiles: [RULES],
      evaluationIntervalMs: 200,
      channels: [{ name: 'test-webhook', type: 'webhook', url: receiver.url }],
      watch: false,
    },
    configFile: false,
    env: {},
    logger: silentLogger,
  });
  const config = parseGatewayConfig({
    backends: {
      refused: { url: await refusedUrl(), apiKey: 'sk-backend-key-never-recorded' },
      broken: { url: broken.url },
      // Only the backend that never answers has a short timeout; the others get a generous one, so a busy
      // machine cannot turn a slow answer into a timeout (and a 502).
      hanging: { url: hanging.url, attemptTimeoutMs: 300 },
      healthy: { url: healthy.url },
      toggle: { url: toggle.url },
    },
    models: {
      'gpt-test': ['refused', 'broken', 'healthy'],
      'slow-test': ['hanging', 'healthy'],
      'flaky-test': ['toggle'],
    },
    attemptTimeoutMs: 10_000,
    // The fallbacks past a refused port, a 503 and a hang are the subject here: no health checks, so no
    // backend is skipped as unhealthy (nexus.e2e.test.ts covers health checks).
    healthCheck: { intervalMs: 0 },
  });
  gateway = createGatewayServer({
    config,
    metrics: createGatewayMetrics(telemetry.meter('llm-gateway', '0.1.0')),
    windowStats: createStatsHandler(telemetry.store, [...config.routes.keys()]),
    http: telemetry.httpServerMetrics(GATEWAY_HTTP_OPTIONS),
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});

afterAll(async () => {
  gateway?.closeAllConnections();
  await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
  await telemetry?.shutdown();
  await Promise.all([healthy, broken, hanging, toggle, receiver].map((s) => s?.close()));
});

describe('the LLM gateway example', () => {
  it('answers every request from the healthy backend after falling back past a refused connection, a 503 and a hang', async () => {
    const wave = () =>
      Promise.all([
        ...Array.from({ length: 3 }, () => chat('gpt-test').then((res) => ({ model: 'gpt-test', res }))),
        ...Array.from({ length: 2 }, () => chat('slow-test').then((res) => ({ model: 'slow-test', res }))),
      ]);
    // Two waves with a store collection in between: rate() needs an increase between two samples of a series,
    // as in Prometheus. forceFlush() collects now, instead of sleeping and hoping a collection ran.
    const first = await wave();
    await telemetry.forceFlush();
    const responses = [...first, ...(await wave())];
    for (const { model, res } of responses) {
      expect(res.status).toBe(200);
      const { content, backend } = await answer(model, res);
      expect(backend).toBe('healthy');
      expect(content).toContain('Hello from healthy');
    }
    expect(broken.requests).toBe(6);
    expect(hanging.requests).toBe(4);
    expect(healthy.requests).toBe(10);
  });

  it('lists the routed models', async () => {
    const body = (await (await fetch(`${gatewayUrl}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(body.data.map((m) => m.id)).toEqual(['gpt-test', 'slow-test', 'flaky-test']);
  });

  it('refuses unknown models and malformed requests without recording them', async () => {
    const unknown = await chat('made-up-model-name');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const malformed = await fetch(`${gatewayUrl}/v1/chat/completions`, { method: 'POST', body: '{"model":' });
    expect(malformed.status).toBe(400);
    const noMessages = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-test', messages: [] }),
    });
    expect(noMessages.status).toBe(400);
    const huge = await chat('gpt-test', 'x'.repeat(2 * 1_048_576));
    expect(huge.status).toBe(413);
    await telemetry.forceFlush();
    expect(await (await fetch(`${telemetry.url}/metrics`)).text()).not.toContain('made-up-model-name');
  });

  it('exposes attempts, tokens and fallbacks on /metrics under the GenAI names with model and backend labels, and no prompt or key', async () => {
    const body = await (await fetch(`${telemetry.url}/metrics`)).text();
    expect(body).toContain('# TYPE gen_ai_client_operation_duration_seconds histogram');
    expect(body).toContain('# TYPE gen_ai_client_token_usage histogram');
    expect(body).toContain('# TYPE gen_ai_server_request_duration_seconds histogram');
    expect(body).toContain('# TYPE llm_gateway_fallbacks_total counter');
    const fallbacks = (model: string, from: string, to: string, errorType: string) =>
      sample(body, 'llm_gateway_fallbacks_total', {
        error_type: errorType,
        gen_ai_request_model: model,
        llm_gateway_fallback_from: from,
        llm_gateway_fallback_to: to,
      });
    expect(fallbacks('gpt-test', 'refused', 'broken', 'ECONNREFUSED')).toBe(6);
    expect(fallbacks('gpt-test', 'broken', 'healthy', '503')).toBe(6);
    expect(fallbacks('slow-test', 'hanging', 'healthy', 'timeout')).toBe(4);
    expect(
      sample(body, 'gen_ai_client_operation_duration_seconds_count', {
        error_type: 'timeout',
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'slow-test',
        llm_gateway_backend: 'hanging',
      }),
    ).toBe(4);
    expect(
      sample(body, 'gen_ai_server_request_duration_seconds_count', {
        gen_ai_request_model: 'gpt-test',
        llm_gateway_backend: 'healthy',
      }),
    ).toBe(6);
    expect(
      sample(body, 'gen_ai_client_token_usage_sum', {
        gen_ai_request_model: 'gpt-test',
        gen_ai_token_type: 'input',
        llm_gateway_backend: 'healthy',
      }),
    ).toBe(toldTokens.get('gpt-test')!.input);
    // The gateway's own HTTP server, through yardstick's HTTP kit: the 10 answered chats, the 404 of an
    // unknown model under its route, and no route for a path that is not one of the gateway's endpoints.
    const http = (labels: Record<string, string>) =>
      sample(body, 'http_server_request_duration_seconds_count', labels);
    expect(
      http({
        http_request_method: 'POST',
        http_response_status_code: '200',
        http_route: '/v1/chat/completions',
      }),
    ).toBe(10);
    expect(
      http({
        http_request_method: 'POST',
        http_response_status_code: '404',
        http_route: '/v1/chat/completions',
      }),
    ).toBe(1);
    expect(
      http({ http_request_method: 'GET', http_response_status_code: '200', http_route: '/v1/models' }),
    ).toBe(1);
    for (const secret of [PROMPT_MARKER, 'sk-client-key', 'sk-backend-key', '127.0.0.1']) {
      expect(body).not.toContain(secret);
    }
  });

  it('serves /v1/stats/window whose counts agree with what the clients were sent', async () => {
    const summary = await stats();
    for (const [model, requests, fallbacks] of [
      ['gpt-test', 6, 12],
      ['slow-test', 4, 4],
    ] as const) {
      const m = summary.models[model]!;
      expect(m.requests).toBe(requests);
      expect(m.errors).toBe(0);
      expect(m.errorRatio).toBe(0);
      expect(m.fallbacks).toBe(fallbacks);
      expect(m.tokens).toEqual(toldTokens.get(model));
      expect(m.requestsPerSecond).toBeGreaterThan(0);
      expect(m.tokensPerMinute.input).toBeGreaterThan(0);
      expect(m.p95LatencySeconds).toBeGreaterThan(0);
    }
    expect(summary.models['flaky-test']).toMatchObject({
      requests: 0,
      errorRatio: null,
      p95LatencySeconds: null,
    });
    expect(summary.fallbacks).toContainEqual({ model: 'gpt-test', from: 'refused', to: 'broken', count: 6 });
    expect(summary.backends.hanging).toEqual({ answered: 0, failed: { timeout: 4 } });
    expect(summary.backends.healthy).toEqual({ answered: 10, failed: {} });
  });

  // Bounded waits, generous for a busy machine: resolving takes some 9 answers per earlier failure in the
  // rule's [1m] window, and a loaded machine serves them slower.
  it('sends the error-ratio alert with the model label to the webhook, then resolves it once the backend recovers', {
    timeout: 90_000,
  }, async () => {
    let failed = 0;
    const firing = await waitForAlert(
      'firing',
      async () => {
        const res = await chat('flaky-test');
        expect(res.status).toBe(502);
        await res.arrayBuffer();
        failed++;
        await sleep(50);
      },
      20_000,
    );
    expect(firing.labels).toMatchObject({ gen_ai_request_model: 'flaky-test', severity: 'page' });
    expect(firing.annotations.summary).toMatch(
      /^flaky-test: \d+(\.\d+)?% of requests failed on every backend$/,
    );

    const during = (await stats()).models['flaky-test']!;
    expect(during).toMatchObject({ requests: failed, errors: failed, errorRatio: 1 });

    toggle.behaviour = 'ok';
    const resolved = await waitForAlert(
      'resolved',
      async () => {
        const batch = await Promise.all(Array.from({ length: 5 }, () => chat('flaky-test')));
        for (const res of batch) {
          expect(res.status).toBe(200);
          await answer('flaky-test', res);
        }
        await sleep(20);
      },
      40_000,
    );
    expect(resolved.labels).toMatchObject({
      gen_ai_request_model: 'flaky-test',
      alertname: 'LlmModelHighErrorRatio',
    });
    const after = (await stats()).models['flaky-test']!;
    expect(after.errors).toBe(failed);
    expect(after.requests - after.errors).toBe(toggle.requests - failed);
    expect(after.tokens).toEqual(toldTokens.get('flaky-test'));
  });
});
