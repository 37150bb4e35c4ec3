import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { buildConfigJsonSchema, CONFIG_SCHEMA_CONTRACT_PATH } from './config-json-schema.ts';
import { loadConfig } from './load-config.ts';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const committed = JSON.parse(readFileSync(join(repoRoot, CONFIG_SCHEMA_CONTRACT_PATH), 'utf8')) as Record<
  string,
  unknown
>;
const samplePath = join(import.meta.dirname, 'fixtures/yardstick.config.yaml');

interface JsonSchemaNode {
  readonly description?: string;
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly items?: JsonSchemaNode;
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly anyOf?: readonly JsonSchemaNode[];
}

/** Paths of object properties in `node` that carry no description. */
function undescribed(node: JsonSchemaNode, path: string): string[] {
  const missing: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.description === undefined) missing.push(`${path}.${key}`);
    missing.push(...undescribed(child, `${path}.${key}`));
  }
  if (node.items !== undefined) missing.push(...undescribed(node.items, `${path}[]`));
  if (typeof node.additionalProperties === 'object') {
    missing.push(...undescribed(node.additionalProperties, `${path}{}`));
  }
  for (const option of node.anyOf ?? []) missing.push(...undescribed(option, path));
  return missing;
}

describe('contracts/config.schema.json', () => {
  it('matches the zod schema', () => {
    expect(
      committed,
      `${CONFIG_SCHEMA_CONTRACT_PATH} is stale; regenerate it with ` +
        '`npx node --conditions=yardstick-source packages/sdk/scripts/generate-config-schema.ts`',
    ).toEqual(buildConfigJsonSchema());
  });

  it('describes every field', () => {
    expect(undescribed(committed as JsonSchemaNode, '')).toEqual([]);
  });

  it('rejects unknown keys and accepts duration strings, as loadConfig does', () => {
    const validator = z.fromJSONSchema(committed as z.core.JSONSchema.JSONSchema);
    expect(validator.safeParse({ server: { prot: 9464 } }).success).toBe(false);
    expect(validator.safeParse({ collectIntervalMs: 'fifteen' }).success).toBe(false);
    expect(
      validator.safeParse({ collectIntervalMs: '1m30s', store: { retentionMs: 3_600_000 } }).success,
    ).toBe(true);
  });
});

describe('the sample yardstick.config.yaml', () => {
  it('is valid against the committed JSON Schema', () => {
    const validator = z.fromJSONSchema(committed as z.core.JSONSchema.JSONSchema);
    const result = validator.safeParse(parse(readFileSync(samplePath, 'utf8')));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('loads with loadConfig into the values it spells out', () => {
    const config = loadConfig({ file: samplePath, env: {} });
    expect(config.collectIntervalMs).toBe(15_000);
    expect(config.cardinality.idleEvictionMs).toBe(30 * 60_000);
    expect(config.otlp).toMatchObject({ enabled: true, exportIntervalMs: 60_000, exportTimeoutMs: 30_000 });
    expect(config.server.auth).toEqual({ username: 'prometheus', password: 'change-me-please' });
  });
});
