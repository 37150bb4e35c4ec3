/**
 * The quickstart's own settings, from environment variables and its one option, `--workers N`. yardstick's
 * settings (the telemetry port is `OTEL_EXPORTER_PROMETHEUS_PORT`) are read by `startTelemetry` itself.
 */

/** Where the service listens and how much traffic the generator sends it. */
export interface QuickstartSettings {
  /** `QUICKSTART_PORT`, default 3000; 0 picks a free port. */
  readonly port: number;
  /** `QUICKSTART_RPS`, default 10: requests per second, 0.1 to 1000 (it becomes a timer's period). */
  readonly requestsPerSecond: number;
  /** `--workers N`, 1 to 32: the service runs in N `node:cluster` workers; 0 (no option): in this process. */
  readonly workers: number;
}

const MAX_WORKERS = 32;

/** `--workers N` or `--workers=N` from `argv`, or why the arguments are wrong. */
function readWorkers(argv: readonly string[]): number | { readonly error: string } {
  let workers = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let text: string | undefined;
    if (arg === '--workers') text = argv[++i] ?? '';
    else if (arg.startsWith('--workers=')) text = arg.slice('--workers='.length);
    else return { error: `unknown argument ${JSON.stringify(arg)}; the only option is --workers N` };
    workers = Number(text);
    if (!/^\d+$/.test(text) || workers < 1 || workers > MAX_WORKERS) {
      return {
        error: `--workers must be a whole number from 1 to ${MAX_WORKERS}, got ${JSON.stringify(text)}`,
      };
    }
  }
  return workers;
}

/** The settings, or one line saying which variable or argument is wrong and what it accepts. */
export function readQuickstartSettings(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): QuickstartSettings | { readonly error: string } {
  const portText = env.QUICKSTART_PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    return {
      error: `QUICKSTART_PORT must be a port number from 0 to 65535, got ${JSON.stringify(portText)}`,
    };
  }
  const rpsText = env.QUICKSTART_RPS ?? '10';
  const requestsPerSecond = Number(rpsText);
  if (rpsText.trim() === '' || !(requestsPerSecond >= 0.1 && requestsPerSecond <= 1000)) {
    return { error: `QUICKSTART_RPS must be a number from 0.1 to 1000, got ${JSON.stringify(rpsText)}` };
  }
  const workers = readWorkers(argv);
  if (typeof workers !== 'number') return workers;
  return { port, requestsPerSecond, workers };
}
