/**
 * Runs every benchmark in this folder one after another (never in parallel: they race baselines and need
 * the cores to themselves) and prints where each wrote its results. Each benchmark races its named
 * baselines in the same process and writes `results/<name>.json` with ratios.
 *
 *   npm run bench                 # all of them
 *   npm run bench -- metrics      # those whose file name contains "metrics"
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts' && file.includes(filter))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(
    process.execPath,
    ['--conditions=yardstick-source', '--expose-gc', join(here, file)],
    {
      stdio: 'inherit',
      cwd: join(here, '..'),
    },
  );
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed with exit code ${result.status}`);
  }
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} failed; results in bench/results/`);
process.exitCode = failed ? 1 : 0;
