import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import { runPromqlTestFile } from './run-test-file.ts';

const dir = join(import.meta.dirname, '../../testdata');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));

/** Fragments of the `.test` language and of its values, so edits land on meaningful syntax. */
const fragments = [
  '',
  '\n',
  ' ',
  '\t',
  'eval instant at 1m ',
  'eval range from 0 to 1m step 0 x\n',
  'load 5m\n',
  '  x{a="b"} 1+1x3',
  'expect fail',
  'expect warn msg: x',
  '_',
  'stale',
  '{{schema:0 sum:1}}',
  '"',
  '{',
  '}',
  'x',
  '1e999',
  '-',
  'clear',
  '@',
  '#',
  'Inf',
];

/** A project test file with a few slices replaced by fragments. */
const editedFile = fc
  .tuple(
    fc.constantFrom(...files),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom(...fragments)), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map(([text, edits]) =>
    edits.reduce((acc, [at, length, insert]) => {
      const i = at % (acc.length + 1);
      return acc.slice(0, i) + insert + acc.slice(i + length);
    }, text),
  );

describe('runPromqlTestFile on edited files', () => {
  it('reports results or throws a PromqlError, never anything else', () => {
    fc.assert(
      fc.property(editedFile, (text) => {
        try {
          const result = runPromqlTestFile(text);
          expect(result.passed + result.failed + result.skipped).toBe(result.results.length);
        } catch (e) {
          if (!(e instanceof PromqlError)) throw e;
          expect(e.code).toBe('PROMQL_TEST_FILE');
        }
      }),
      { numRuns: 300 },
    );
  });
});
