#!/usr/bin/env node
// The installed `yardstick` command: runs the built CLI (`tsc -b` emits dist/).
import { runCli } from '../dist/cli.js';

process.exitCode = await runCli(process.argv.slice(2));
