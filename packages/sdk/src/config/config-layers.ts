import type { ConfigSource } from './config-error.ts';
import type { ConfigFile } from './config-file.ts';

/** One place configuration comes from, with enough to point a problem back at it. */
export type ConfigLayer =
  | { readonly kind: 'file'; readonly values: Record<string, unknown>; readonly file: ConfigFile }
  | {
      readonly kind: 'env';
      readonly values: Record<string, unknown>;
      readonly variables: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'code'; readonly values: Record<string, unknown> };

/**
 * Deep-merges layers given lowest precedence first. Plain objects merge key by key (so a file's
 * `server.port` and the environment's `server.host` both survive); arrays and scalars are replaced whole;
 * `undefined` means "not set" and never overrides.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) mergeInto(merged, layer.values);
  return merged;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(value)) {
      const base: Record<string, unknown> = isPlainObject(existing) ? existing : {};
      defineOwn(target, key, base);
      mergeInto(base, value);
    } else {
      defineOwn(target, key, value);
    }
  }
}

/** Sets an own property even for the key `__proto__`, which plain assignment would treat as the prototype. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Where the value at `path` came from: the highest-precedence layer holding the longest existing prefix of
 * it. With a config file, the position is the value when the whole path exists (and `at` is `'value'`),
 * else the key of the deepest part that does.
 */
export function sourceOf(
  layers: readonly ConfigLayer[],
  path: readonly PropertyKey[],
  at: 'key' | 'value',
): ConfigSource {
  for (let length = path.length; length > 0; length--) {
    const prefix = path.slice(0, length);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (!hasPath(layer.values, prefix)) continue;
      const pointAt = length === path.length ? at : 'key';
      return layerSource(layer, prefix, pointAt);
    }
  }
  return { kind: 'default' };
}

function layerSource(layer: ConfigLayer, prefix: readonly PropertyKey[], at: 'key' | 'value'): ConfigSource {
  switch (layer.kind) {
    case 'file': {
      const position = layer.file.locate(prefix, at);
      return position === undefined
        ? { kind: 'file', file: layer.file.displayPath, line: 1, column: 1 }
        : { kind: 'file', file: layer.file.displayPath, line: position.line, column: position.column };
    }
    case 'env': {
      const key = prefix.map(String).join('.');
      // An exact setting, or the first variable under an object the environment built (server.auth).
      const variable =
        layer.variables.get(key) ??
        [...layer.variables.entries()].find(([path]) => path.startsWith(`${key}.`))?.[1] ??
        [...layer.variables.entries()].find(([path]) => key.startsWith(`${path}.`))?.[1];
      return variable === undefined ? { kind: 'default' } : { kind: 'env', variable };
    }
    case 'code':
      return { kind: 'code' };
  }
}

function hasPath(values: unknown, path: readonly PropertyKey[]): boolean {
  let node = values;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return false;
    const record = node as Record<PropertyKey, unknown>;
    if (!Object.hasOwn(record, segment) || record[segment] === undefined) return false;
    node = record[segment];
  }
  return true;
}

/** Whether `value` is an object literal (not an array, Date, Buffer ...). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
