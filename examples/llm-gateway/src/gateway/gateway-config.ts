/**
 * The gateway's routing table: named backends (OpenAI-compatible base URLs) and, per model, the ordered
 * list of backends to try. Validated with zod at start-up, the one edge where configuration enters.
 */
import { z } from 'zod';
import { GatewayError } from './gateway-error.ts';

/** The `backend` label of a request no backend answered; no configured backend may take the name. */
export const NO_BACKEND = 'none';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

// Backend names and model names become label values, so they come from this table and never from a request.
// A name is an id, not an address: an IP as a name would put the address into every series of the backend.
const backendName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, { error: 'must be 1-63 characters of a-z, 0-9, _, . or -' })
  .refine((name) => !IPV4.test(name), { error: 'must be a name, not an IP address' })
  .refine((name) => name !== NO_BACKEND, {
    error: `"${NO_BACKEND}" is reserved: it labels requests no backend answered`,
  });
const modelName = z.string().min(1).max(128);

const backendSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .describe('OpenAI-compatible base URL, e.g. https://api.openai.com/v1; /chat/completions is appended.'),
  provider: z
    .string()
    .min(1)
    .default('openai')
    .describe('The `gen_ai.provider.name` recorded for this backend.'),
  apiKey: z
    .string()
    .min(1)
    .optional()
    .describe('Sent as `Authorization: Bearer`; never logged, never an attribute.'),
  attemptTimeoutMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "This backend's own attempt timeout, instead of the table's: e.g. short for a local server that answers fast or not at all.",
    ),
});

/** The routing table's schema; {@link parseGatewayConfig} applies it. */
export const gatewayConfigSchema = z
  .strictObject({
    // Names are checked in superRefine: a record key that fails its schema only says "Invalid key in record".
    backends: z.record(z.string(), backendSchema),
    models: z.record(modelName, z.array(z.string()).min(1)),
    fallbacks: z
      .record(modelName, z.array(modelName).min(1).max(10))
      .default({})
      .describe(
        "Per model, the models to try in order when every backend of the model failed or is unhealthy (Nexus's fallback chains).",
      ),
    healthCheck: z
      .strictObject({
        intervalMs: z
          .number()
          .int()
          .nonnegative()
          .default(10_000)
          .describe('Time between health checks of every backend (GET <url>/models); 0 turns them off.'),
        timeoutMs: z.number().int().positive().default(2_000).describe('Time one health check may take.'),
      })
      .prefault({}),
    attemptTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Time one backend attempt may take, body included, before the next backend is tried.'),
    maxBodyBytes: z.number().int().positive().default(1_048_576).describe('Largest request body accepted.'),
  })
  .superRefine((config, ctx) => {
    for (const name of Object.keys(config.backends)) {
      const checked = backendName.safeParse(name);
      for (const issue of checked.error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: ['backends', name], message: issue.message });
      }
    }
    for (const [model, route] of Object.entries(config.models)) {
      route.forEach((name, index) => {
        if (!Object.hasOwn(config.backends, name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', model, index],
            message: `unknown backend ${JSON.stringify(name)}`,
          });
        }
      });
    }
    for (const [model, chain] of Object.entries(config.fallbacks)) {
      if (!Object.hasOwn(config.models, model)) {
        ctx.addIssue({ code: 'custom', path: ['fallbacks', model], message: 'is not a routed model' });
      }
      chain.forEach((to, index) => {
        if (!Object.hasOwn(config.models, to) || to === model) {
          ctx.addIssue({
            code: 'custom',
            path: ['fallbacks', model, index],
            message: `${JSON.stringify(to)} is not another routed model`,
          });
        }
      });
    }
  });

/** What a user writes: defaults may be left out. */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

/** One backend, with its name. */
export interface Backend {
  readonly name: string;
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly provider: string;
  readonly apiKey: string | undefined;
  /** Time one attempt on this backend may take; undefined for the table's `attemptTimeoutMs`. */
  readonly attemptTimeoutMs: number | undefined;
}

/** How often backends are health-checked; `intervalMs` 0: never. */
export interface HealthCheckConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** A validated routing table: per model, the backends to try in order. */
export interface GatewayConfig {
  /** Every configured backend by name, in the order written (the registered fleet). */
  readonly backends: ReadonlyMap<string, Backend>;
  readonly routes: ReadonlyMap<string, readonly Backend[]>;
  /** Per model, the models to try when all of its backends failed; models without a chain are absent. */
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly healthCheck: HealthCheckConfig;
  readonly attemptTimeoutMs: number;
  readonly maxBodyBytes: number;
}

/**
 * Validates a routing table.
 *
 * @throws GatewayError (`GATEWAY_CONFIG_INVALID`) listing every problem as `path: message` lines.
 * @example
 * ```ts
 * const config = parseGatewayConfig({
 *   backends: { openai: { url: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY } },
 *   models: { 'gpt-4o-mini': ['openai'] },
 * });
 * ```
 */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new GatewayError('GATEWAY_CONFIG_INVALID', `invalid gateway config:\n${lines.join('\n')}`, {
      cause: parsed.error,
    });
  }
  const { backends, models, fallbacks, healthCheck, attemptTimeoutMs, maxBodyBytes } = parsed.data;
  const byName = new Map<string, Backend>(
    Object.entries(backends).map(([name, b]) => [
      name,
      {
        name,
        url: b.url.replace(/\/+$/, ''),
        provider: b.provider,
        apiKey: b.apiKey,
        attemptTimeoutMs: b.attemptTimeoutMs,
      },
    ]),
  );
  const routes = new Map<string, readonly Backend[]>(
    Object.entries(models).map(([model, route]) => [model, route.map((name) => byName.get(name)!)]),
  );
  return {
    backends: byName,
    routes,
    fallbacks: new Map(Object.entries(fallbacks)),
    healthCheck,
    attemptTimeoutMs,
    maxBodyBytes,
  };
}
