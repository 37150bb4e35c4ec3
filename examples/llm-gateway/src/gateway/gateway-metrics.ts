/**
 * The gateway's instruments, named after the OTel GenAI semantic conventions: each backend attempt is a
 * GenAI client operation (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`), each request the
 * gateway answers is a GenAI server request (`gen_ai.server.request.duration`), and fallbacks get a counter
 * of their own. Attributes come only from the routing table and from fixed outcome strings: never a
 * prompt, an API key, a client address or a model name a client made up.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import type { Backend } from './gateway-config.ts';

/** Bucket boundaries the GenAI semantic conventions advise for the operation and request durations (s). */
const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Bucket boundaries the GenAI semantic conventions advise for `gen_ai.client.token.usage`. */
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** The one operation this gateway serves (`gen_ai.operation.name`). */
const OPERATION = 'chat';

/** Token counts a backend reported in `usage`. */
export interface TokenUsage {
  readonly input: number | undefined;
  readonly output: number | undefined;
}

/** Records what the gateway does; every method is safe on the request path (the OTel API never throws). */
export interface GatewayMetrics {
  /** One attempt against a backend; `errorType` is set when it failed, `usage` when it answered. */
  attempt(
    model: string,
    backend: Backend,
    seconds: number,
    outcome: { readonly errorType: string } | { readonly usage: TokenUsage },
  ): void;
  /** The gateway moved from `from` to `to` because `from` failed with `errorType`. */
  fallback(model: string, from: Backend, to: Backend, errorType: string): void;
  /** One request the gateway answered: `backend` answered it unless every backend failed. */
  request(model: string, seconds: number, backend: Backend | undefined, errorType: string | undefined): void;
}

/** Creates the instruments on `meter`. */
export function createGatewayMetrics(meter: Meter): GatewayMetrics {
  const attemptDuration = meter.createHistogram('gen_ai.client.operation.duration', {
    description: 'Duration of one attempt of the gateway against a backend (a GenAI client operation).',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
    description: 'Input and output tokens a backend reported for one answered attempt.',
    unit: '{token}',
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  });
  const requestDuration = meter.createHistogram('gen_ai.server.request.duration', {
    description: 'Duration of a chat request the gateway served, fallbacks included.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const fallbacks = meter.createCounter('llm_gateway.fallbacks', {
    description: 'Times the gateway moved on to the next backend of a model because one failed.',
    unit: '{fallback}',
  });

  const clientAttributes = (model: string, backend: Backend): Attributes => ({
    'gen_ai.operation.name': OPERATION,
    'gen_ai.provider.name': backend.provider,
    'gen_ai.request.model': model,
    'llm_gateway.backend': backend.name,
  });

  return {
    attempt(model, backend, seconds, outcome) {
      const attributes = clientAttributes(model, backend);
      if ('errorType' in outcome) {
        attemptDuration.record(seconds, { ...attributes, 'error.type': outcome.errorType });
        return;
      }
      attemptDuration.record(seconds, attributes);
      const { input, output } = outcome.usage;
      if (input !== undefined) tokenUsage.record(input, { ...attributes, 'gen_ai.token.type': 'input' });
      if (output !== undefined) tokenUsage.record(output, { ...attributes, 'gen_ai.token.type': 'output' });
    },
    fallback(model, from, to, errorType) {
      fallbacks.add(1, {
        'gen_ai.request.model': model,
        'llm_gateway.fallback.from': from.name,
        'llm_gateway.fallback.to': to.name,
        'error.type': errorType,
      });
    },
    request(model, seconds, backend, errorType) {
      requestDuration.record(seconds, {
        'gen_ai.operation.name': OPERATION,
        'gen_ai.request.model': model,
        ...(backend === undefined ? {} : { 'llm_gateway.backend': backend.name }),
        ...(errorType === undefined ? {} : { 'error.type': errorType }),
      });
    },
  };
}
