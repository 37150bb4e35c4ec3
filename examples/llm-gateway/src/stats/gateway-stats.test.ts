import type { ServerResponse } from 'node:http';
import { SampleStore } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { computeGatewayStats, createStatsHandler } from './gateway-stats.ts';

const STEP_MS = 15_000;
const STEPS = 20; // five minutes of samples, as a 15 s scrape interval gives
const END = 1_800_000_000_000;

/** Appends a counter that grows by `perStep` every 15 s over the last five minutes. */
function counter(store: SampleStore, labels: Record<string, string>, perStep: number): void {
  for (let i = 0; i <= STEPS; i++) store.append(labels, END - (STEPS - i) * STEP_MS, i * perStep);
}

/** A request-duration histogram whose every request took between 0.16 s and 0.32 s. */
function requests(
  store: SampleStore,
  model: string,
  perStep: number,
  extra: Record<string, string> = {},
): void {
  const base = { gen_ai_operation_name: 'chat', gen_ai_request_model: model, ...extra };
  const name = 'gen_ai_server_request_duration_seconds';
  counter(store, { ...base, __name__: `${name}_count` }, perStep);
  counter(store, { ...base, __name__: `${name}_bucket`, le: '0.16' }, 0);
  counter(store, { ...base, __name__: `${name}_bucket`, le: '0.32' }, perStep);
  counter(store, { ...base, __name__: `${name}_bucket`, le: '+Inf' }, perStep);
}

describe('computeGatewayStats', () => {
  it('gives rates, error ratio, p95 and tokens per model from the stored series', () => {
    const store = new SampleStore();
    requests(store, 'gpt', 9, { llm_gateway_backend: 'primary' });
    requests(store, 'gpt', 3, { error_type: '502' });
    requests(store, 'gpt', 30, { error_type: '400', llm_gateway_backend: 'primary' });
    const tokens = { __name__: 'gen_ai_client_token_usage_sum', gen_ai_request_model: 'gpt' };
    counter(store, { ...tokens, gen_ai_token_type: 'input', llm_gateway_backend: 'primary' }, 150);
    counter(store, { ...tokens, gen_ai_token_type: 'output', llm_gateway_backend: 'primary' }, 45);
    const fallback = {
      __name__: 'llm_gateway_fallbacks_total',
      gen_ai_request_model: 'gpt',
      llm_gateway_fallback_from: 'primary',
      llm_gateway_fallback_to: 'secondary',
    };
    counter(store, { ...fallback, error_type: '503' }, 2);
    counter(store, { ...fallback, error_type: 'timeout' }, 1);
    const attempts = {
      __name__: 'gen_ai_client_operation_duration_seconds_count',
      llm_gateway_backend: 'primary',
    };
    counter(store, attempts, 4);
    counter(store, { ...attempts, error_type: 'timeout' }, 1);
    requests(store, 'not-configured', 5);

    const stats = computeGatewayStats(store, ['gpt', 'idle'], END);
    const gpt = stats.models.gpt!;
    expect(gpt.requests).toBe(42 * STEPS);
    expect(gpt.errors).toBe(3 * STEPS);
    expect(gpt.fallbacks).toBe(3 * STEPS);
    expect(gpt.tokens).toEqual({ input: 150 * STEPS, output: 45 * STEPS });
    expect(gpt.requestsPerSecond).toBeCloseTo(42 / 15, 9);
    // only 5xx answers are gateway errors: 3 of 42 per step
    expect(gpt.errorRatio).toBeCloseTo(3 / 42, 9);
    // every request in (0.16, 0.32]: Prometheus interpolates linearly inside the bucket
    expect(gpt.p95LatencySeconds).toBeCloseTo(0.16 + 0.95 * 0.16, 9);
    expect(gpt.tokensPerMinute.input).toBeCloseTo((150 / 15) * 60, 9);
    expect(gpt.tokensPerMinute.output).toBeCloseTo((45 / 15) * 60, 9);
    expect(stats.models.idle).toEqual({
      requests: 0,
      errors: 0,
      fallbacks: 0,
      tokens: { input: 0, output: 0 },
      requestsPerSecond: 0,
      errorRatio: null,
      p95LatencySeconds: null,
      tokensPerMinute: { input: 0, output: 0 },
    });
    expect(Object.keys(stats.models)).toEqual(['gpt', 'idle']);
    expect(stats.fallbacks).toEqual([{ model: 'gpt', from: 'primary', to: 'secondary', count: 3 * STEPS }]);
    expect(stats.backends).toEqual({ primary: { answered: 4 * STEPS, failed: { timeout: STEPS } } });
    expect(stats.time).toBe(new Date(END).toISOString());
  });

  it('reports an error ratio of 0, not null, for a model with requests and no errors', () => {
    const store = new SampleStore();
    requests(store, 'gpt', 5);
    expect(computeGatewayStats(store, ['gpt'], END).models.gpt!.errorRatio).toBe(0);
  });
});

describe('createStatsHandler', () => {
  function call(handler: (res: ServerResponse) => void): { status: number; body: unknown } {
    let status = 0;
    let text = '';
    const res = {
      writeHead(code: number) {
        status = code;
        return this;
      },
      end(chunk: string) {
        text = chunk;
        return this;
      },
    };
    handler(res as unknown as ServerResponse);
    return { status, body: JSON.parse(text) };
  }

  it('answers 503 when the embedded store is disabled', () => {
    const { status, body } = call(createStatsHandler(undefined, ['gpt']));
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: { type: 'unavailable' } });
  });

  it('answers 200 with every configured model', () => {
    const { status, body } = call(createStatsHandler(new SampleStore(), ['a', 'b']));
    expect(status).toBe(200);
    expect(Object.keys((body as { models: object }).models)).toEqual(['a', 'b']);
  });
});
