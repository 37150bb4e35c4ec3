/**
 * The `yardstick` command line: dispatches a verb, maps errors to exit codes (0 ok, 1 findings or failures,
 * 2 usage or validation errors) and prints one clear line for any error, never a stack trace.
 */
import type { CliIo } from './cli-io.ts';
import { CliError, isUsageError } from './errors.ts';

/** A verb: takes its arguments (after the verb) and returns the exit code. */
type Verb = (argv: readonly string[], io: CliIo) => Promise<number>;

// Verbs are imported when used: `yardstick lint` never loads Parquet, Grafana or rule-engine code, and a
// problem in one verb's dependencies cannot break the others.
const VERBS: Readonly<Record<string, { run: Verb; summary: string }>> = {
  export: {
    run: async (argv, io) => (await import('./commands/export.ts')).exportCommand(argv, io),
    summary: 'export history to CSV, JSON or Parquet',
  },
  dashboard: {
    run: async (argv, io) => (await import('./commands/dashboard.ts')).dashboardCommand(argv, io),
    summary: 'generate a Grafana dashboard from a YAML config',
  },
  lint: {
    run: async (argv, io) => (await import('./commands/lint.ts')).lintCommand(argv, io),
    summary: 'check a metrics exposition for naming, unit and cardinality problems',
  },
  promql: {
    run: async (argv, io) => (await import('./commands/promql.ts')).promqlCommand(argv, io),
    summary: 'run Prometheus .test files against the PromQL engine',
  },
  rules: {
    run: async (argv, io) => (await import('./commands/rules.ts')).rulesCommand(argv, io),
    summary: 'check rule files; convert threshold rules to Prometheus rules',
  },
  alerts: {
    run: async (argv, io) => (await import('./commands/alerts.ts')).alertsCommand(argv, io),
    summary: 'evaluate alert rules against a Prometheus API and notify Alertmanager/webhooks',
  },
  'scrape-config': {
    run: async (argv, io) => (await import('./commands/scrape-config.ts')).scrapeConfigCommand(argv, io),
    summary: 'scrape config for Prometheus, vmagent or Kubernetes',
  },
};

function usage(): string {
  const lines = Object.entries(VERBS).map(([name, verb]) => `  ${name.padEnd(15)} ${verb.summary}`);
  return `Usage: yardstick <verb> [flags]\n\nVerbs:\n${lines.join('\n')}\n\nRun yardstick <verb> --help for flags and examples.\n`;
}

function defaultIo(signal: AbortSignal | undefined): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal,
    now: Date.now,
  };
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * Without an injected `io`, it uses the process's streams and turns SIGINT/SIGTERM into an abort, so an
 * interrupted export removes its temp file before the process exits.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  let cleanup = (): void => {};
  // 128 + signal number, the shell convention for "ended by a signal".
  let signalExitCode = 130;
  if (!io) {
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      signalExitCode = signal === 'SIGTERM' ? 143 : 130;
      controller.abort(new Error(`received ${signal}`));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cleanup = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    io = defaultIo(controller.signal);
  }
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(usage());
      return name === undefined ? 2 : 0;
    }
    const verb = VERBS[name];
    if (!verb) {
      io.stderr.write(`yardstick: unknown verb "${name}"\n${usage()}`);
      return 2;
    }
    return await verb.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`yardstick: ${error.message}\n`);
      if (error.code === 'EXPORT_ABORTED' && io.signal?.aborted) return signalExitCode;
      return isUsageError(error) ? 2 : 1;
    }
    io.stderr.write(`yardstick: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  } finally {
    cleanup();
  }
}
