import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNoopMeter } from '@opentelemetry/api';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { BackendRegistry } from '../gateway/backend-registry.ts';
import { parseGatewayConfig } from '../gateway/gateway-config.ts';
import { nexusErrorType } from './nexus-error-type.ts';
import { NexusMetrics } from './nexus-metrics.ts';
import { computeStats, createNexusStatsHandler, METRICS_UNAVAILABLE } from './nexus-stats.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../contracts/nexus-stats-response.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(schema);
const validateUnavailable = ajv.getSchema(
  'https://yardstick.dev/examples/llm-gateway/nexus-stats-response.schema.json#/definitions/MetricsUnavailable',
)!;

function fleet() {
  const config = parseGatewayConfig({
    backends: {
      'vllm-gpu-1': { url: 'http://a' },
      'ollama-local': { url: 'http://b' },
      idle: { url: 'http://c' },
    },
    models: { 'llama3:70b': ['ollama-local'], 'gpt-4': ['vllm-gpu-1'], 'phi-3': ['idle'] },
  });
  const registry = new BackendRegistry(config);
  return { registry, metrics: new NexusMetrics(createNoopMeter(), registry) };
}

describe("/v1/stats (Nexus's StatsResponse)", () => {
  it('adds up requests, success and errors, with averages in ms to one decimal per backend and model', () => {
    const { metrics } = fleet();
    metrics.request('gpt-4', 'vllm-gpu-1', 200, 0.8);
    metrics.request('gpt-4', 'vllm-gpu-1', 200, 0.9);
    metrics.request('gpt-4', 'vllm-gpu-1', 500, 0.1004);
    metrics.request('llama3:70b', 'ollama-local', 200, 1.25);
    metrics.request('llama3:70b', 'none', 503, 0.002);
    const stats = computeStats(metrics, 7_999);
    expect(stats).toEqual({
      uptime_seconds: 7,
      requests: { total: 5, success: 3, errors: 2 },
      backends: [
        { id: 'idle', name: 'idle', requests: 0, average_latency_ms: 0, pending: 0 },
        { id: 'ollama-local', name: 'ollama-local', requests: 1, average_latency_ms: 1250, pending: 0 },
        { id: 'vllm-gpu-1', name: 'vllm-gpu-1', requests: 3, average_latency_ms: 600.1, pending: 0 },
      ],
      models: [
        { name: 'gpt-4', requests: 3, average_duration_ms: 600.1 },
        { name: 'llama3:70b', requests: 2, average_duration_ms: 626 },
        { name: 'phi-3', requests: 0, average_duration_ms: 0 },
      ],
    });
    expect(validate(stats), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('lists every registered backend and routed model before the first request, and in-flight attempts as pending', () => {
    const { metrics, registry } = fleet();
    const done = registry.beginAttempt('idle');
    registry.beginAttempt('idle');
    done();
    done(); // a second call changes nothing
    const stats = computeStats(metrics, 0);
    expect(stats.requests).toEqual({ total: 0, success: 0, errors: 0 });
    expect(stats.backends.map((b) => [b.id, b.pending])).toEqual([
      ['idle', 1],
      ['ollama-local', 0],
      ['vllm-gpu-1', 0],
    ]);
    expect(stats.models.map((m) => m.name)).toEqual(['gpt-4', 'llama3:70b', 'phi-3']);
    expect(validate(stats), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('answers 503 with the spec error when metrics are not initialized, 200 JSON otherwise', async () => {
    const { metrics } = fleet();
    const without = createNexusStatsHandler(undefined);
    const withMetrics = createNexusStatsHandler(metrics);
    const server = createServer((req, res) => (req.url === '/off' ? without(res) : withMetrics(res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const off = await fetch(`${base}/off`);
      expect(off.status).toBe(503);
      expect(off.headers.get('content-type')).toBe('application/json');
      const body = await off.json();
      expect(body).toEqual(METRICS_UNAVAILABLE);
      expect(validateUnavailable(body)).toBe(true);
      const on = await fetch(`${base}/on`);
      expect(on.status).toBe(200);
      expect(validate(await on.json())).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('nexusErrorType', () => {
  it("maps the gateway's attempt failures onto the spec's error types", () => {
    expect(nexusErrorType('timeout')).toBe('timeout');
    expect(nexusErrorType('invalid_response')).toBe('parse_error');
    expect(nexusErrorType('cancelled')).toBe('other');
    for (const failure of ['503', '429', 'ECONNREFUSED', 'UND_ERR_SOCKET', '_OTHER']) {
      expect(nexusErrorType(failure)).toBe('backend_error');
    }
  });
});
