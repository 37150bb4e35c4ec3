/**
 * The quickstart example as a child process on free ports, for tests that need a live service: its telemetry
 * server's base URL once it printed it, its output, and its exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';

const main = join(import.meta.dirname, '..', '..', 'examples', 'quickstart', 'src', 'main.ts');

/** A running quickstart. */
export interface QuickstartProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` of its telemetry server (`/metrics`, `/api/v1`, the web UI). */
  readonly base: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts the quickstart (`QUICKSTART_RPS` 50, logs at warn) with `env` over the defaults, and resolves once it
 * printed its metrics URL; fails naming its output if it exits or prints nothing within `timeoutMs`.
 */
export async function startQuickstartProcess(
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<QuickstartProcess> {
  const child = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: {
      ...process.env,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      QUICKSTART_PORT: '0',
      QUICKSTART_RPS: '50',
      YARDSTICK_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = await waitFor(
      'the quickstart to print its metrics URL',
      () => {
        if (child.exitCode !== null) throw new Error(`the quickstart exited:\n${output}`);
        return /metrics:\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(output)?.[1];
      },
      { timeoutMs },
    );
    return { child, base, output: () => output, exited };
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
}
