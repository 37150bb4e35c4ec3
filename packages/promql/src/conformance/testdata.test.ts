import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPromqlTestFile } from './run-test-file.ts';

/** yardstick's own `.test` files: the regression suite of the parser, the runner and the engine together. */
const dir = join(import.meta.dirname, '../../testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.test'));

describe('packages/promql/testdata', () => {
  it('holds test files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s passes every eval', (name) => {
    const result = runPromqlTestFile(readFileSync(join(dir, name), 'utf8'));
    const failures = result.results.filter((r) => r.status !== 'passed');
    expect(failures).toEqual([]);
    expect(result.passed).toBeGreaterThan(0);
  });
});
