#!/usr/bin/env node
/**
 * Prints vitest's totals as the plain closing line CI tooling reads ("N passed, N failed, N skipped"),
 * from the JSON report `npm run test:unit` writes.
 */
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(new URL('../.vitest-results.json', import.meta.url), 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exitCode = report.numFailedTests > 0 || !report.success ? 1 : 0;
