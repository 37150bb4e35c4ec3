// Scratch: the project's runner with experimental functions enabled, to see how the engine fares on them.
import { readFileSync } from 'node:fs';
import { runPromqlTestFile } from '../src/conformance/run-test-file.ts';

const verbose = process.env.V === '1';
for (const file of process.argv.slice(2)) {
  const r = runPromqlTestFile(readFileSync(file, 'utf8'), { runExperimental: true });
  console.log(`${file.split('/').pop()}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  if (verbose)
    for (const e of r.results)
      if (e.status === 'failed') console.log(`  ${e.line}: ${e.expr}\n     ${e.message}`);
}
