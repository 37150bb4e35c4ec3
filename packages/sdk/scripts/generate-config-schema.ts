/**
 * Writes `contracts/config.schema.json` from the zod config schema. Run from the repository root:
 *   npx node --conditions=yardstick-source packages/sdk/scripts/generate-config-schema.ts
 * `src/config/config-schema-contract.test.ts` fails until the committed file matches the schema.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_SCHEMA_CONTRACT_PATH, renderConfigJsonSchema } from '../src/config/config-json-schema.ts';

const root = resolve(import.meta.dirname, '../../..');
const target = resolve(root, CONFIG_SCHEMA_CONTRACT_PATH);
writeFileSync(target, renderConfigJsonSchema());
// The repository's formatter owns the layout (short arrays on one line); the contract test compares content.
execFileSync(resolve(root, 'node_modules/.bin/biome'), ['format', '--write', target], { stdio: 'inherit' });
process.stdout.write(`wrote ${target}\n`);
