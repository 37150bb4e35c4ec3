import { z } from 'zod';
import { yardstickConfigSchema } from './schema.ts';

/** Where the committed JSON Schema lives, relative to the repository root. */
export const CONFIG_SCHEMA_CONTRACT_PATH = 'contracts/config.schema.json';

/**
 * The JSON Schema (draft 2020-12) of what users may write in `yardstick.config.yaml`: the input side of
 * {@link yardstickConfigSchema}, so durations accept strings and defaulted fields are optional.
 * `contracts/config.schema.json` is this, written by `packages/sdk/scripts/generate-config-schema.ts`.
 */
export function buildConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(yardstickConfigSchema, { io: 'input', target: 'draft-2020-12' });
  return { $schema: schema.$schema, title: 'yardstick configuration', ...schema };
}

/** The file text of the contract: two-space JSON with a final newline, as biome formats it. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`;
}
