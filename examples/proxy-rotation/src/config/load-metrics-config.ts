/**
 * Loads `MetricsConfig` from the `[metrics]` table of `.proxywhirl.toml` (seed 000 T035) with smol-toml, a
 * maintained TOML 1.0 parser. A syntax error names the file, line and column smol-toml reports; a value that
 * breaks a rule names the file, the line of its key and the field.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { DEFAULT_API_PORT, type MetricsConfig, metricsConfigSchema } from './metrics-config.ts';
import { type ConfigFileProblem, ProxyWhirlConfigError } from './proxywhirl-config-error.ts';

/** A config file larger than this is refused before it is read: reloads must stay cheap. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Options of {@link loadMetricsConfig} and {@link parseMetricsConfig}. */
export interface LoadMetricsConfigOptions {
  /** ProxyWhirl's API port, which `exposition_port` must not take; default 8000. */
  readonly apiPort?: number;
}

/**
 * Reads and validates the `[metrics]` table of a `.proxywhirl.toml`; a file without the table gives the
 * spec's defaults.
 *
 * @throws ProxyWhirlConfigError `CONFIG_FILE` (unreadable, over {@link MAX_CONFIG_BYTES}, not TOML) or
 *   `CONFIG_INVALID` (a value breaks a rule), every problem as `file:line: metrics.field: message`
 * @example
 * ```ts
 * const config = loadMetricsConfig('.proxywhirl.toml');
 * const telemetry = await startTelemetry(toYardstickConfig(config));
 * ```
 */
export function loadMetricsConfig(file: string, options: LoadMetricsConfigOptions = {}): MetricsConfig {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      throw fileProblem(file, `is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a config file may have`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ProxyWhirlConfigError) throw error;
    throw fileProblem(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  return parseMetricsConfig(text, file, options);
}

/** {@link loadMetricsConfig} for text already read; `file` names it in errors. */
export function parseMetricsConfig(
  text: string,
  file: string,
  options: LoadMetricsConfigOptions = {},
): MetricsConfig {
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message repeats the code block; its first line is the reason.
      const reason = error.message.split('\n')[0] ?? 'invalid TOML';
      throw new ProxyWhirlConfigError(
        'CONFIG_FILE',
        [{ file, line: error.line, field: '', message: `${reason} (column ${error.column})` }],
        { cause: error },
      );
    }
    throw fileProblem(file, 'is not valid TOML', error);
  }
  const table = document.metrics ?? {};
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new ProxyWhirlConfigError('CONFIG_INVALID', [
      { file, line: keyLine(text, [], 'metrics'), field: 'metrics', message: 'must be a table ([metrics])' },
    ]);
  }
  // Relative TLS file paths are read from the config file's directory, wherever the service was started.
  const result = metricsConfigSchema(options.apiPort ?? DEFAULT_API_PORT, dirname(resolve(file))).safeParse(
    table,
  );
  if (result.success) return result.data;
  throw new ProxyWhirlConfigError('CONFIG_INVALID', problemsOf(result.error, text, file), {
    cause: result.error,
  });
}

function fileProblem(file: string, message: string, cause?: unknown): ProxyWhirlConfigError {
  return new ProxyWhirlConfigError('CONFIG_FILE', [{ file, line: undefined, field: '', message }], {
    cause,
  });
}

function problemsOf(error: z.ZodError, text: string, file: string): ConfigFileProblem[] {
  return error.issues.map((issue) => {
    const [key, ...rest] = issue.path.map(String);
    // An unknown key is reported by zod on the table, with the key names in `keys`.
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
    const name = unknown?.[0] ?? key;
    const field = ['metrics', ...(name === undefined ? [] : [name])].join('.');
    const index = rest.map((part) => `[${part}]`).join('');
    return {
      file,
      line: name === undefined ? keyLine(text, [], 'metrics') : metricsKeyLine(text, name),
      field: `${field}${index}`,
      // zod's own message for a wrong type says what it got ("received string") but not the value itself.
      message: issue.message,
    };
  });
}

// A missing half of the basic-auth (or TLS) pair is reported where the other half is written.
const PARTNER: Readonly<Record<string, string>> = {
  basic_auth_password: 'basic_auth_username',
  basic_auth_username: 'basic_auth_password',
  tls_cert_file: 'tls_key_file',
  tls_key_file: 'tls_cert_file',
};

/**
 * The line of `key` in the `[metrics]` table (or a top-level `metrics.key =`), else of its basic-auth
 * partner, else of the table header.
 */
function metricsKeyLine(text: string, key: string): number | undefined {
  const find = (name: string) => keyLine(text, ['metrics'], name) ?? keyLine(text, [], `metrics.${name}`);
  const partner = PARTNER[key];
  return find(key) ?? (partner === undefined ? undefined : find(partner)) ?? headerLine(text, 'metrics');
}

/**
 * The 1-based line where `key = ...` is written inside the table `table` (`[]` for the top level), found by
 * scanning headers and keys: smol-toml gives positions for syntax errors only.
 */
function keyLine(text: string, table: readonly string[], key: string): number | undefined {
  const wanted = table.join('.');
  const keyPattern = new RegExp(`^\\s*["']?${escapeRegExp(key)}["']?\\s*=`);
  let current = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      current = header[1]!.replace(/\s*\.\s*/g, '.').replace(/["']/g, '');
      continue;
    }
    if (current === wanted && keyPattern.test(line)) return i + 1;
  }
  return undefined;
}

function headerLine(text: string, table: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => new RegExp(`^\\s*\\[\\s*${escapeRegExp(table)}\\s*\\]`).test(line));
  return at < 0 ? undefined : at + 1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
