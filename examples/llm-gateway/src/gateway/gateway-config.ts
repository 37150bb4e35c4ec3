/**
 * The gateway's routing table: named backends (OpenAI-compatible base URLs) and, per model, the ordered
 * list of backends to try. Validated with zod at start-up, the one edge where configuration enters.
 */
import { z } from 'zod';
import { GatewayError } from './gateway-error.ts';

// Backend names and model names become label values, so they come from this table and never from a request.
const backendName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, { error: 'must be 1-63 characters of a-z, 0-9, _, . or -' });

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
    backends: z.record(backendName, backendSchema),
    models: z.record(z.string().min(1).max(128), z.array(backendName).min(1)),
    attemptTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Time one backend attempt may take, body included, before the next backend is tried.'),
    maxBodyBytes: z.number().int().positive().default(1_048_576).describe('Largest request body accepted.'),
  })
  .superRefine((config, ctx) => {
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

/** A validated routing table: per model, the backends to try in order. */
export interface GatewayConfig {
  readonly routes: ReadonlyMap<string, readonly Backend[]>;
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
  const { backends, models, attemptTimeoutMs, maxBodyBytes } = parsed.data;
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
  return { routes, attemptTimeoutMs, maxBodyBytes };
}
