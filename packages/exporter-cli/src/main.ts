/**
 * Process entry point: runs the CLI with the process's arguments and sets the exit code (no `process.exit`,
 * so pending writes to stdout finish first).
 */
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
