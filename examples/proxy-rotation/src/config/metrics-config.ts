/**
 * `MetricsConfig` of ProxyWhirl's data model (seed 003; seed 000 T006, T016, T034): every field, default and
 * validation rule of the spec, as a zod schema. Field names are the spec's (snake_case), so the `[metrics]`
 * table of `.proxywhirl.toml` uses them as written.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { readTlsCredentials } from '@yardstick/sdk';
import { z } from 'zod';
import { PROXYWHIRL_DEFAULT_BUCKETS } from '../metrics/proxywhirl-metrics.ts';
import { Secret } from './secret.ts';

/** The port of ProxyWhirl's own API (FastAPI in the spec), which the metrics port must not take. */
export const DEFAULT_API_PORT = 8000;

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 253 characters at most.
const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const bucketsSchema = z
  .array(z.number().positive({ error: 'bucket boundaries are latencies in seconds: must be > 0' }))
  .min(2, { error: 'needs at least 2 bucket boundaries' })
  .superRefine((buckets, ctx) => {
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]! > buckets[i - 1]!)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `must be strictly ascending: ${buckets[i]} does not exceed ${buckets[i - 1]}`,
        });
      }
    }
  });

/** Why `file` cannot be read as a regular file, or `undefined` when it can. */
function unreadable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${file} is not a regular file`;
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (error) {
    return `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/** A PEM file of `[metrics]`, resolved against the config file's directory, readable when loaded. */
function pemFileSchema(baseDir: string) {
  return z
    .string()
    .min(1, { error: 'must be a file path' })
    .transform((file) => resolve(baseDir, file))
    .superRefine((file, ctx) => {
      const problem = unreadable(file);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/**
 * Builds the schema for a given API port (the spec's "must not conflict with the main port", default 8000)
 * and the directory relative TLS file paths are read from (the config file's). Unknown keys are errors
 * naming the key, so a typo never silently keeps a default.
 */
export function metricsConfigSchema(apiPort: number = DEFAULT_API_PORT, baseDir: string = process.cwd()) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      exposition_host: z
        .string()
        .refine((host) => isIP(host) !== 0 || HOSTNAME.test(host), {
          error: 'must be a valid IP address or host name',
        })
        .default('0.0.0.0'),
      exposition_port: z
        .number()
        .int({ error: 'must be an integer' })
        .min(1024, { error: 'must be 1024-65535' })
        .max(65_535, { error: 'must be 1024-65535' })
        .refine((port) => port !== apiPort, {
          error: `must not be the API port (${apiPort}): the metrics endpoint needs its own port`,
        })
        .default(9090),
      exposition_path: z
        .string()
        .regex(/^\/\S*$/, { error: "must start with '/' and contain no spaces" })
        .default('/metrics'),
      scrape_interval_seconds: z
        .number()
        .int({ error: 'must be an integer' })
        .min(1, { error: 'must be 1-3600' })
        .max(3600, { error: 'must be 1-3600' })
        .default(60),
      enable_process_metrics: z.boolean().default(true),
      enable_pool_metrics: z.boolean().default(true),
      enable_request_metrics: z.boolean().default(true),
      histogram_buckets: bucketsSchema.default([...PROXYWHIRL_DEFAULT_BUCKETS]),
      label_cardinality_limit: z
        .number()
        .int({ error: 'must be an integer' })
        .min(100, { error: 'must be 100-10000' })
        .max(10_000, { error: 'must be 100-10000' })
        .default(1000),
      basic_auth_username: z.string().min(3, { error: 'must be at least 3 characters' }).optional(),
      // The value is checked, then wrapped at once: no message or object after this line holds it in clear.
      basic_auth_password: z
        .string()
        .min(8, { error: 'must be at least 8 characters' })
        .transform((password) => new Secret(password))
        .optional(),
      // Seed 000 T104: HTTPS on the metrics endpoint. The SDK reloads both files when they change (or on
      // SIGHUP), so a renewed certificate needs no restart.
      tls_cert_file: pemFileSchema(baseDir).optional(),
      tls_key_file: pemFileSchema(baseDir).optional(),
    })
    .superRefine((config, ctx) => {
      if (config.basic_auth_username !== undefined && config.basic_auth_password === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['basic_auth_password'],
          message: 'is required when basic_auth_username is set (set both or neither)',
        });
      }
      if (config.basic_auth_password !== undefined && config.basic_auth_username === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['basic_auth_username'],
          message: 'is required when basic_auth_password is set (set both or neither)',
        });
      }
      const cert = config.tls_cert_file;
      const key = config.tls_key_file;
      if (cert !== undefined && key === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls_key_file'],
          message: 'is required when tls_cert_file is set (set both or neither)',
        });
      }
      if (key !== undefined && cert === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tls_cert_file'],
          message: 'is required when tls_key_file is set (set both or neither)',
        });
      }
      // Both readable: check them as the HTTPS server will load them, each alone and then as a pair, so the
      // message names the file at fault (an unreadable one is reported by its own field already).
      if (
        cert !== undefined &&
        key !== undefined &&
        unreadable(cert) === undefined &&
        unreadable(key) === undefined
      ) {
        const loaded = readTlsCredentials({ certFile: cert, keyFile: key }, 'tls_cert_file');
        if (!loaded.ok) {
          const field = loaded.field === 'certFile' ? 'tls_cert_file' : 'tls_key_file';
          ctx.addIssue({ code: 'custom', path: [field], message: `${loaded.file} ${loaded.message}` });
        }
      }
    });
}

/** A validated `MetricsConfig`, every default filled in; the password is a {@link Secret}. */
export type MetricsConfig = z.output<ReturnType<typeof metricsConfigSchema>>;

/** What a user may write: every field with a default is optional. */
export type MetricsConfigInput = z.input<ReturnType<typeof metricsConfigSchema>>;

/** The fields a running service applies at once on reload; the others take effect at the next start. */
export const LIVE_FIELDS: ReadonlySet<keyof MetricsConfig> = new Set([
  'enable_pool_metrics',
  'enable_request_metrics',
]);

/** The fields whose values differ between two configs (the password compared without revealing it). */
export function changedFields(before: MetricsConfig, after: MetricsConfig): (keyof MetricsConfig)[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)] as (keyof MetricsConfig)[]);
  return [...keys].filter((key) => {
    const a = before[key];
    const b = after[key];
    if (a instanceof Secret || b instanceof Secret) {
      return !(a instanceof Secret && a.equals(b instanceof Secret ? b : undefined)) && a !== b;
    }
    return JSON.stringify(a) !== JSON.stringify(b);
  });
}
