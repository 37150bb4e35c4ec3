/**
 * The `remoteWrite` section: Prometheus remote write 1.0 endpoints, each fed the samples the embedded store
 * collects (from its node:sqlite history when `store.path` is set).
 */
import { z } from 'zod';
import { durationSchema as duration } from '../config/duration-schema.ts';
import { headerProblem } from '../config/http-header.ts';

/** Headers remote write sets itself; a configured header may not replace them. */
const RESERVED_HEADERS = new Set([
  'content-encoding',
  'content-type',
  'content-length',
  'x-prometheus-remote-write-version',
  'user-agent',
  'host',
]);

const queueSchema = z
  .strictObject({
    maxSamplesPerSend: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(2_000)
      .describe(
        'Most samples in one request (whole series per request, so a request may exceed it by one series).',
      ),
    capacity: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .default(500_000)
      .describe(
        'Memory-only mode: most samples waiting to be sent; the oldest collections are dropped (and counted) beyond it. With store.path the history on disk is the queue.',
      ),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe('Most requests in flight (and TCP connections open) to the endpoint at once.'),
    minBackoffMs: duration('First wait before a retry; doubled on each retry.').default(100),
    maxBackoffMs: duration('Longest wait between retries (a longer Retry-After is capped to 5 min).').default(
      5_000,
    ),
  })
  .prefault({})
  .describe('Batching, concurrency and retry of one endpoint.');

const tlsSchema = z
  .strictObject({
    caFile: z.string().min(1).optional().describe('PEM CA bundle that signs the endpoint certificate.'),
    certFile: z.string().min(1).optional().describe('PEM client certificate (mutual TLS).'),
    keyFile: z.string().min(1).optional().describe('PEM key of certFile.'),
    insecureSkipVerify: z.boolean().default(false).describe('Accept any server certificate (testing only).'),
  })
  .refine((tls) => (tls.certFile === undefined) === (tls.keyFile === undefined), {
    message: 'certFile and keyFile go together: set both or neither',
  })
  .describe('TLS settings for an https:// endpoint.');

/** One remote-write endpoint. */
export const remoteWriteEndpointSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .describe('Receiver URL, e.g. http://prometheus:9090/api/v1/write or VictoriaMetrics /api/v1/write.'),
    name: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Name in logs, in the remote_name label of the self-metrics and of the persisted cursor; default remote-write-<position from 1>. Keep it when reordering endpoints: the cursor goes by it.',
      ),
    headers: z
      .record(z.string().min(1), z.string())
      .superRefine((headers, ctx) => {
        for (const [name, value] of Object.entries(headers)) {
          const problem = headerProblem(name, value);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem });
          else if (RESERVED_HEADERS.has(name.toLowerCase()))
            ctx.addIssue({ code: 'custom', path: [name], message: 'is set by remote write itself' });
        }
      })
      .default({})
      .describe('Extra headers of every request (e.g. X-Scope-OrgID). Values are never logged.'),
    basicAuth: z
      .strictObject({
        username: z.string().min(1).describe('Basic-auth user name.'),
        password: z.string().min(1).describe('Basic-auth password. Never logged.'),
      })
      .optional()
      .describe('HTTP basic auth. Never logged.'),
    bearerToken: z.string().min(1).optional().describe('Authorization: Bearer token. Never logged.'),
    tls: tlsSchema.optional(),
    timeoutMs: duration('Longest a request may take before it is abandoned and retried.').default(30_000),
    metadataIntervalMs: duration('How often metric metadata (type, help, unit) is sent.').default(60_000),
    queue: queueSchema,
  })
  .refine((endpoint) => endpoint.basicAuth === undefined || endpoint.bearerToken === undefined, {
    message: 'basicAuth and bearerToken both set: choose one',
  });

/** The `remoteWrite` section: a list of endpoints, empty by default. */
export const remoteWriteSchema = z
  .array(remoteWriteEndpointSchema)
  .default([])
  .describe(
    "Prometheus remote write 1.0 endpoints fed the embedded store's samples (env YARDSTICK_REMOTE_WRITE_URL: one endpoint).",
  );

/** One validated endpoint, defaults filled in. */
export type RemoteWriteEndpointConfig = z.output<typeof remoteWriteEndpointSchema>;
