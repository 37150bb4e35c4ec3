import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { readTlsCredentials } from '../server/tls-credentials.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { findConfigFile, readConfigFile } from './config-file.ts';
import { type ConfigLayer, isPlainObject, mergeLayers, sourceOf } from './config-layers.ts';
import { ENV_BINDINGS, isOtelVariable, readEnvironment } from './environment.ts';
import { type YardstickConfig, type YardstickConfigInput, yardstickConfigSchema } from './schema.ts';
import { allowedKeysAt, closestKey } from './schema-keys.ts';

/** Where {@link loadConfig} reads from. Every field is optional. */
export interface LoadConfigOptions {
  /** Settings from code: the highest precedence. */
  readonly code?: YardstickConfigInput | undefined;
  /**
   * The config file (YAML or JSON), relative to `cwd`. Default: `YARDSTICK_CONFIG`, else the one
   * `yardstick.config.yaml|yml|json` in `cwd`. `false` reads no file.
   */
  readonly file?: string | false | undefined;
  /** Environment variables; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Directory for finding the file and resolving relative paths; default `process.cwd()`. */
  readonly cwd?: string | undefined;
  /**
   * Receives one line per `OTEL_*` variable that was ignored (malformed, unknown value) or partly used, as
   * the OTel SDK environment specification asks (warn, use the default). Default: `process.emitWarning`.
   */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/**
 * Builds the configuration from, lowest to highest precedence: defaults < config file < environment < code.
 * Objects merge key by key; lists and values replace. TLS files are checked for readability and returned as
 * absolute paths (relative ones are resolved against the config file's folder when they come from the file,
 * else against `cwd`). Synchronous, so it can run before anything else at startup.
 *
 * @throws ConfigError `CONFIG_INVALID` listing every problem (`file:line:col: path: message` for file values,
 * the environment variable's name for env values), with the `ZodError` as `cause`; `CONFIG_FILE` when the file
 * cannot be read or parsed. Messages never contain passwords or header values.
 * @example
 * ```ts
 * const config = loadConfig({ code: { serviceName: 'checkout', server: { port: 0 } } });
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): YardstickConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const layers: ConfigLayer[] = [];

  const choice = findConfigFile(options.file, env, cwd);
  const file = choice === undefined ? undefined : readConfigFile(choice, cwd);
  if (file !== undefined) layers.push({ kind: 'file', values: file.data, file });

  const environment = readEnvironment(env);
  const variables = new Map(environment.variables);
  layers.push({ kind: 'env', values: environment.values, variables });
  if (options.code !== undefined) {
    layers.push({ kind: 'code', values: options.code as unknown as Record<string, unknown> });
  }

  let merged = mergeLayers(layers);
  let parsed = yardstickConfigSchema.safeParse(merged);
  const warnings = [...environment.warnings];
  // The OTel spec: an OTEL_* value that cannot be used is warned about and the default applies. Each round
  // drops the OTEL_* variables the schema refused and parses again; YARDSTICK_* and file values stay errors.
  for (let round = 0; !parsed.success && round < ENV_BINDINGS.length; round++) {
    const refused = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const source = sourceOf(layers, issue.path, 'value');
      if (source.kind === 'env' && isOtelVariable(source.variable) && !refused.has(source.variable)) {
        refused.set(source.variable, `${formatPath(issue.path)}: ${issue.message}`);
      }
    }
    if (refused.size === 0) break;
    for (const [variable, reason] of refused) {
      for (const [path, setBy] of [...variables]) {
        if (setBy !== variable) continue;
        deleteIn(environment.values, path.split('.'));
        variables.delete(path);
      }
      warnings.push(`${variable}: ${reason}; ignored, the default applies`);
    }
    merged = mergeLayers(layers);
    parsed = yardstickConfigSchema.safeParse(merged);
  }
  const onWarning =
    options.onWarning ?? ((message: string) => process.emitWarning(message, 'YardstickConfig'));
  for (const warning of warnings) onWarning(warning);
  const problems: ConfigProblem[] = [...environment.problems];
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, layers)));
  const tls = checkTlsFiles(merged, layers, cwd, file?.path);
  problems.push(...tls.problems);

  if (!parsed.success || problems.length > 0) {
    throw new ConfigError('CONFIG_INVALID', problems, parsed.success ? undefined : { cause: parsed.error });
  }
  const config = parsed.data;
  if (config.server.tls !== undefined && tls.certFile !== undefined && tls.keyFile !== undefined) {
    config.server.tls = { certFile: tls.certFile, keyFile: tls.keyFile };
  }
  // Rule files are resolved like TLS files: against the config file's folder when they come from it.
  const rulesSource = sourceOf(layers, ['alerting', 'ruleFiles'], 'value');
  const rulesBase = rulesSource.kind === 'file' && file !== undefined ? dirname(file.path) : cwd;
  config.alerting.ruleFiles = config.alerting.ruleFiles.map((path) => resolve(rulesBase, path));
  if (config.alerting.stateFile !== undefined) {
    const stateSource = sourceOf(layers, ['alerting', 'stateFile'], 'value');
    const stateBase = stateSource.kind === 'file' && file !== undefined ? dirname(file.path) : cwd;
    config.alerting.stateFile = resolve(stateBase, config.alerting.stateFile);
  }
  return config;
}

function deleteIn(target: Record<string, unknown>, path: readonly string[]): void {
  let node: unknown = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    node = node[key];
  }
  if (isPlainObject(node)) delete node[path[path.length - 1]!];
}

/** One problem per zod issue; an "unrecognized keys" issue becomes one problem per key, pointing at the key. */
function issueProblems(issue: z.core.$ZodIssue, layers: readonly ConfigLayer[]): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(yardstickConfigSchema, issue.path);
    return issue.keys.map((key) => {
      const guess = closestKey(allowed, key);
      const hint =
        guess !== undefined
          ? ` (did you mean ${JSON.stringify(guess)}?)`
          : allowed.length > 0
            ? ` (allowed: ${allowed.join(', ')})`
            : '';
      return {
        path: formatPath(issue.path),
        message: `unknown key ${JSON.stringify(key)}${hint}`,
        source: sourceOf(layers, [...issue.path, key], 'key'),
      };
    });
  }
  return [
    { path: formatPath(issue.path), message: issue.message, source: sourceOf(layers, issue.path, 'value') },
  ];
}

/** `server.auth.password`, `histogramBuckets[2]`, `cardinality.limits["http.server.*"]`. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

interface TlsCheck {
  readonly problems: ConfigProblem[];
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

/**
 * Resolves the TLS files and checks that each is a readable file and that together they load as a certificate
 * and its key, so the server does not fail later with an OpenSSL message naming no file.
 */
function checkTlsFiles(
  merged: Record<string, unknown>,
  layers: readonly ConfigLayer[],
  cwd: string,
  configFilePath: string | undefined,
): TlsCheck {
  const problems: ConfigProblem[] = [];
  const resolved: Record<'certFile' | 'keyFile', string | undefined> = {
    certFile: undefined,
    keyFile: undefined,
  };
  const server = isPlainObject(merged.server) ? merged.server : {};
  const tls = server.tls;
  // A disabled server never opens the files, so leftover TLS settings must not stop the process.
  if (!isPlainObject(tls) || server.enabled === false) return { problems, ...resolved };
  for (const field of ['certFile', 'keyFile'] as const) {
    const value = tls[field];
    if (typeof value !== 'string' || value === '') continue;
    const path = ['server', 'tls', field];
    const source = sourceOf(layers, path, 'value');
    const base = source.kind === 'file' && configFilePath !== undefined ? dirname(configFilePath) : cwd;
    const absolute = resolve(base, value);
    const reason = unreadableReason(absolute);
    if (reason === undefined) resolved[field] = absolute;
    else problems.push({ path: formatPath(path), message: `cannot read ${absolute}: ${reason}`, source });
  }
  if (resolved.certFile !== undefined && resolved.keyFile !== undefined) {
    const loaded = readTlsCredentials({ certFile: resolved.certFile, keyFile: resolved.keyFile });
    if (!loaded.ok) {
      const path = ['server', 'tls', loaded.field];
      problems.push({
        path: formatPath(path),
        message: `${loaded.file} ${loaded.message}`,
        source: sourceOf(layers, path, 'value'),
      });
    }
  }
  return { problems, ...resolved };
}

function unreadableReason(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'no such file (ENOENT)'
      : code === 'EACCES'
        ? 'permission denied (EACCES)'
        : String(code);
  }
}
