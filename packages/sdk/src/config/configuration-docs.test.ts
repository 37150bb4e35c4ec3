import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfigJsonSchema } from './config-json-schema.ts';
import { ENV_BINDINGS } from './environment.ts';

const docs = readFileSync(join(resolve(import.meta.dirname, '../../../..'), 'docs/configuration.md'), 'utf8');

/** Names in the first column of the docs' tables (the formatter pads the columns). */
const tableEntries = new Set([...docs.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((match) => match[1]));

interface JsonSchemaNode {
  readonly properties?: Record<string, JsonSchemaNode>;
}

/** Dotted paths of every setting down to the leaves (records and lists count as leaves). */
function settingPaths(node: JsonSchemaNode, prefix: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return child.properties === undefined ? [path] : settingPaths(child, path);
  });
}

describe('docs/configuration.md', () => {
  it('documents every environment variable loadConfig reads', () => {
    const variables = [...ENV_BINDINGS.map((binding) => binding.variable), 'YARDSTICK_CONFIG'];
    expect(variables.filter((variable) => !tableEntries.has(variable))).toEqual([]);
  });

  it('documents every setting of the schema', () => {
    const paths = settingPaths(buildConfigJsonSchema() as JsonSchemaNode, '');
    expect(paths.filter((path) => !tableEntries.has(path))).toEqual([]);
  });
});
