/**
 * One copy of the OTel SDK packages: the OTLP and Prometheus exporters pin sdk-metrics/core exactly, and a
 * second copy would split instruments, readers and views between two incompatible class hierarchies.
 * The root `overrides` keep one; this test fails when a dependency change brings a second.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const SINGLETONS = [
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/api',
];

/** Every installed copy of `name` under `dir`'s node_modules trees, as "path@version". */
function copiesOf(name: string, dir: string, found: string[] = []): string[] {
  const modules = join(dir, 'node_modules');
  let entries: string[];
  try {
    entries = readdirSync(modules);
  } catch {
    return found;
  }
  const pkg = join(modules, name, 'package.json');
  try {
    found.push(`${pkg}@${(JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version}`);
  } catch {
    // not installed at this level
  }
  for (const entry of entries) {
    const scoped = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((e) => join(entry, e))
      : [entry];
    for (const child of scoped) {
      const path = join(modules, child);
      if (statSync(path).isDirectory()) copiesOf(name, path, found);
    }
  }
  return found;
}

describe('dependency tree', () => {
  it.each(SINGLETONS)('has exactly one copy of %s', (name) => {
    const copies = [
      root,
      ...['packages', 'examples'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p))),
    ].flatMap((dir) => copiesOf(name, dir));
    expect(copies).toHaveLength(1);
  });
});
