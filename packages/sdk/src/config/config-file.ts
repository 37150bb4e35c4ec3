import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { decodeUtf8, parseStrictYaml } from '@yardstick/alert-evaluator';
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { ConfigError, type ConfigSource } from './config-error.ts';

/** File names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'yardstick.config.yaml',
  'yardstick.config.yml',
  'yardstick.config.json',
] as const;

/** A line and column in a config file, both 1-based. */
export interface FilePosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed config file that can say where each setting is written. */
export interface ConfigFile {
  /** Absolute path. */
  readonly path: string;
  /** The path as shown in messages: relative to the working directory when inside it. */
  readonly displayPath: string;
  /** The file's data as plain JS values. */
  readonly data: Record<string, unknown>;
  /**
   * Where the deepest existing part of `path` is written: the value when the whole path exists and `at` is
   * `'value'`, otherwise the key. `undefined` when not even the first segment is in the file.
   */
  locate(path: readonly PropertyKey[], at: 'key' | 'value'): FilePosition | undefined;
}

/** How {@link findConfigFile} picked the file, so a read error can say who asked for it. */
export interface ConfigFileChoice {
  readonly path: string;
  readonly source: ConfigSource;
}

/**
 * Picks the config file: the explicit `file` (`false` turns files off), else `YARDSTICK_CONFIG`, else the one
 * `yardstick.config.{yaml,yml,json}` in `cwd`. `undefined` when there is none.
 *
 * @throws ConfigError `CONFIG_FILE` when `cwd` holds more than one candidate.
 */
export function findConfigFile(
  file: string | false | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ConfigFileChoice | undefined {
  if (file === false) return undefined;
  if (file !== undefined) return { path: resolve(cwd, file), source: { kind: 'code' } };
  const fromEnv = env.YARDSTICK_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') {
    return { path: resolve(cwd, fromEnv), source: { kind: 'env', variable: 'YARDSTICK_CONFIG' } };
  }
  const found = CONFIG_FILE_NAMES.map((name) => join(cwd, name)).filter((path) => existsSync(path));
  if (found.length > 1) {
    throw new ConfigError('CONFIG_FILE', [
      {
        path: '',
        message: `several config files in ${cwd}: ${found.map((p) => relative(cwd, p)).join(', ')}; keep one, or choose with YARDSTICK_CONFIG`,
        source: { kind: 'default' },
      },
    ]);
  }
  return found[0] === undefined ? undefined : { path: found[0], source: { kind: 'default' } };
}

/**
 * Reads and parses a YAML or JSON config file (JSON is parsed as YAML, which gives positions for both).
 *
 * @throws ConfigError `CONFIG_FILE` when the file cannot be read, is not UTF-8, is not valid YAML/JSON, repeats
 * a key, expands aliases beyond the cap (an alias bomb), or its top level is not a mapping; each problem is
 * listed as `file:line:col: message`.
 */
export function readConfigFile(choice: ConfigFileChoice, cwd: string): ConfigFile {
  const path = choice.path;
  const displayPath = displayPathOf(path, cwd);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      'CONFIG_FILE',
      [{ path: displayPath, message: `cannot read config file (${reason})`, source: choice.source }],
      { cause: error },
    );
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    throw new ConfigError('CONFIG_FILE', [
      {
        path: '',
        message: `${decoded.message}: save the file as UTF-8`,
        source: { kind: 'file', file: displayPath, line: decoded.line, column: decoded.column },
      },
    ]);
  }
  const yaml = parseStrictYaml(decoded.text);
  if (yaml.problems.length > 0) {
    throw new ConfigError(
      'CONFIG_FILE',
      yaml.problems.map((problem) => ({
        path: '',
        message: problem.kind === 'syntax' ? `YAML syntax error: ${problem.message}` : problem.message,
        source: { kind: 'file', file: displayPath, line: problem.line, column: problem.column },
      })),
      { cause: yaml.document.errors[0] },
    );
  }
  const { document: doc, lineCounter, data } = yaml;
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    throw new ConfigError('CONFIG_FILE', [
      {
        path: '',
        message: 'the top level must be a mapping of settings',
        source: { kind: 'file', file: displayPath, line: 1, column: 1 },
      },
    ]);
  }
  const locate = (target: readonly PropertyKey[], at: 'key' | 'value'): FilePosition | undefined => {
    let node: unknown = doc.contents;
    let keyNode: Node | undefined;
    let found = 0;
    for (const segment of target) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair === undefined) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        keyNode = node.items[segment] as Node;
        node = node.items[segment];
      } else {
        break;
      }
      found++;
    }
    if (found === 0) return undefined;
    const whole = found === target.length && at === 'value';
    const chosen = whole && isNodeWithRange(node) ? node : keyNode;
    const offset = chosen?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { path, displayPath, data: (data ?? {}) as Record<string, unknown>, locate };
}

function isNodeWithRange(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray(value.range);
}

function displayPathOf(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
