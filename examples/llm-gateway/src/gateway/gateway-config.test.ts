import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './gateway-config.ts';
import { GatewayError } from './gateway-error.ts';

function problems(input: unknown): string {
  try {
    parseGatewayConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('GATEWAY_CONFIG_INVALID');
    return (error as GatewayError).message;
  }
  throw new Error('the config was accepted');
}

describe('parseGatewayConfig', () => {
  it('keeps each model’s backends in the order written, with defaults filled in', () => {
    const config = parseGatewayConfig({
      backends: {
        a: { url: 'http://127.0.0.1:1/v1/' },
        b: { url: 'https://llm.example/v1', provider: 'vllm', apiKey: 'sk-1', attemptTimeoutMs: 500 },
      },
      models: { m1: ['b', 'a'], m2: ['a'] },
    });
    expect(config.routes.get('m1')!.map((b) => b.name)).toEqual(['b', 'a']);
    expect(config.routes.get('m1')![1]).toEqual({
      name: 'a',
      url: 'http://127.0.0.1:1/v1',
      provider: 'openai',
      apiKey: undefined,
      attemptTimeoutMs: undefined,
    });
    expect(config.routes.get('m1')![0]).toMatchObject({ provider: 'vllm', attemptTimeoutMs: 500 });
    expect(config.attemptTimeoutMs).toBe(30_000);
    expect(config.maxBodyBytes).toBe(1_048_576);
  });

  it('names every shape problem at once: a bad URL, a backend name unfit for a label, an empty route', () => {
    const message = problems({
      backends: { ok: { url: 'ftp://x' }, 'Bad Name': { url: 'http://x', apiKey: 'sk-secret-value' } },
      models: { m: ['ok'], n: [] },
    });
    expect(message).toContain('backends.ok.url: must be an http:// or https:// URL');
    expect(message).toContain('backends.Bad Name');
    expect(message).toContain('models.n');
    expect(message).not.toContain('sk-secret-value');
  });

  it('refuses a route through a backend that is not defined', () => {
    const message = problems({ backends: { ok: { url: 'http://x' } }, models: { m: ['ok', 'missing'] } });
    expect(message).toBe('invalid gateway config:\nmodels.m.1: unknown backend "missing"');
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    expect(problems({ backends: {}, models: {}, attemptTimeout: 5 })).toContain('attemptTimeout');
  });

  it('reads fallback chains and health-check settings, with health checks every 10 s by default', () => {
    const config = parseGatewayConfig({
      backends: { a: { url: 'http://x' } },
      models: { big: ['a'], small: ['a'] },
      fallbacks: { big: ['small'] },
    });
    expect(config.fallbacks.get('big')).toEqual(['small']);
    expect(config.fallbacks.get('small')).toBeUndefined();
    expect(config.healthCheck).toEqual({ intervalMs: 10_000, timeoutMs: 2_000 });
    expect([...config.backends.keys()]).toEqual(['a']);
  });

  it('refuses a fallback to or from a model that is not routed, and a model falling back to itself', () => {
    const message = problems({
      backends: { a: { url: 'http://x' } },
      models: { big: ['a'] },
      fallbacks: { big: ['big', 'missing'], ghost: ['big'] },
    });
    expect(message).toContain('fallbacks.big.0: "big" is not another routed model');
    expect(message).toContain('fallbacks.big.1: "missing" is not another routed model');
    expect(message).toContain('fallbacks.ghost: is not a routed model');
  });

  it('refuses backend names that are IP addresses or the reserved "none", which label requests no backend answered', () => {
    const message = problems({
      backends: { '10.0.0.7': { url: 'http://x' }, none: { url: 'http://y' } },
      models: { m: ['none'] },
    });
    expect(message).toContain('backends.10.0.0.7: must be a name, not an IP address');
    expect(message).toContain('backends.none: "none" is reserved');
  });
});
